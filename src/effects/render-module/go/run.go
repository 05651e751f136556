// Package main is ameide's render module: `helm template`, `helm dependency build` (file:// dependencies only),
// `kustomize build`, Argo CD's jsonnet evaluation (jsonnet.go) and a Flux Kustomization's post-build substitution
// (flux.go), from Helm's, kustomize's, go-jsonnet's and Flux's own Go packages, compiled to WebAssembly. It has no file, process, environment or socket but what its host hands it: the
// revision, in memory.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/google/go-jsonnet"
)

// Protocol names the request and response shapes; the host refuses a module that speaks another.
const Protocol = "ameide-render/5"

// Request is one command: `helm template` or `kustomize build` as data, or another command's argv ("helm dependency
// build", Argo CD's `kustomize edit` sequence, jsonnet, Flux's steps: each takes its arguments as its tool does).
type Request struct {
	HelmTemplate   *HelmTemplate   `json:"helmTemplate,omitempty"`
	KustomizeBuild *KustomizeBuild `json:"kustomizeBuild,omitempty"`
	Args           []string        `json:"args,omitempty"`
	// OutputLimit caps what the command may print, in bytes (0: no cap).
	OutputLimit int `json:"outputLimit"`
	// ObjectLimit caps the YAML documents a render may hold (0: no cap): past it nothing is sorted or printed.
	ObjectLimit int `json:"objectLimit"`
	// Documents asks for the output's documents as data too (documents.go).
	Documents bool `json:"documents,omitempty"`
}

// Response is what the command printed and how it ended. Error is set exactly when it failed (Exit ≠ 0) without
// reaching a limit; Limit when it printed past OutputLimit or held past ObjectLimit. Warnings are what Helm and
// kustomize logged (warnings.go). Nothing else is said: what Go's runtime itself prints (a fatal error, a panic's
// stack) reaches the host's stderr stream of the module, outside the answer.
type Response struct {
	Exit     int      `json:"exit"`
	Stdout   string   `json:"stdout"`
	Warnings []string `json:"warnings"`
	// Limit names the limit the command reached: "output" or "objects".
	Limit string     `json:"limit,omitempty"`
	Error *ErrorInfo `json:"error,omitempty"`
	// Documents is what documents.go reads of Stdout, when asked and the command succeeded.
	Documents string `json:"documents,omitempty"`
}

// limits are the current request's (one command runs at a time).
var limits Request

// errLimit ends a command that reached one of its request's limits, before the work past it is done.
type errLimit struct{ which string }

func (e errLimit) Error() string { return e.which + " limit reached" }

// checkRendered stops a render whose files, before Helm sorts and prints them, are already past a limit.
func checkRendered(files map[string]string) error {
	size, documents := 0, 0
	for _, f := range files {
		size += len(f)
		documents += strings.Count(f, "\n---") + 1
	}
	if limits.OutputLimit > 0 && size > limits.OutputLimit {
		return errLimit{"output"}
	}
	if limits.ObjectLimit > 0 && documents > limits.ObjectLimit {
		return errLimit{"objects"}
	}
	return nil
}

// errOutputLimit ends a command that printed more than its request allows.
var errOutputLimit = errors.New("output limit reached")

// capped is a buffer that refuses to grow past its limit.
type capped struct {
	bytes.Buffer
	limit   int
	reached bool
}

func (c *capped) Write(p []byte) (int, error) {
	if c.limit > 0 && c.Len()+len(p) > c.limit {
		c.reached = true
		return 0, errOutputLimit
	}
	return c.Buffer.Write(p)
}

// Run runs one command; a panic in Helm's or kustomize's code is its error (code "panic"), not the module's end.
func Run(request Request) (response Response) {
	stdout := &capped{limit: request.OutputLimit}
	logged := &warnings{entries: []string{}}
	collect(logged)
	restore := captureStderr(logged)
	defer func() {
		if p := recover(); p != nil {
			restore()
			print(string(debug.Stack())) // Go's runtime's own stream: the host's stderr, not a warning
			message := fmt.Sprintf("panic: %v", p)
			response = Response{Exit: 2, Warnings: logged.entries, Error: &ErrorInfo{Code: "panic", Message: message}}
		}
	}()
	limits = request
	err := runCommand(request, stdout, logged)
	restore()
	response = respond(stdout, logged, err)
	if request.Documents && response.Exit == 0 {
		response.Documents = renderedDocuments(response.Stdout)
	}
	return response
}

func runCommand(request Request, stdout io.Writer, logged *warnings) error {
	switch {
	case request.HelmTemplate != nil:
		return helmTemplate(request.HelmTemplate, stdout)
	case request.KustomizeBuild != nil:
		return withCode("kustomize", kustomizeBuild(request.KustomizeBuild, stdout, logged))
	}
	return dispatch(request.Args, stdout, logged)
}

// respond is the answer to a command that ended with err (nil: it succeeded).
func respond(stdout *capped, logged *warnings, err error) Response {
	response := Response{Stdout: stdout.String(), Warnings: logged.entries}
	var reached errLimit
	switch {
	case stdout.reached:
		response.Limit = "output"
	case errors.As(err, &reached):
		response.Limit = reached.which
	}
	if err != nil {
		response.Exit = 1
		if response.Limit == "" {
			response.Error = classify(err)
		}
	}
	return response
}

func dispatch(args []string, stdout io.Writer, logged *warnings) error {
	if len(args) == 0 {
		return usage(errors.New("no command"))
	}
	switch {
	case args[0] == "version":
		fmt.Fprintf(stdout, `{"protocol":%q,"helm":%q,"kustomize":%q,"jsonnet":%q,"envsubst":%q}`, Protocol, helmVersion(), kustomizeVersion(), jsonnet.Version(), moduleVersion("github.com/fluxcd/pkg/envsubst"))
		return nil
	case len(args) >= 3 && args[0] == "helm" && args[1] == "dependency" && args[2] == "build":
		return helmDependencyBuild(args[3:], stdout)
	case args[0] == "jsonnet":
		return jsonnetEval(args[1:], stdout)
	case len(args) >= 2 && args[0] == "argocd" && args[1] == "kustomize-edit":
		return withCode("kustomize", argocdKustomizeEdit(args[2:], stdout, logged))
	case len(args) >= 2 && args[0] == "flux" && args[1] == "generate":
		return fluxGenerate(args[2:])
	case len(args) >= 2 && args[0] == "flux" && args[1] == "artifact":
		return fluxArtifact(args[2:])
	case len(args) >= 2 && args[0] == "kube" && args[1] == "validate":
		return kubeValidate(args[2:], stdout)
	case len(args) >= 2 && args[0] == "flux" && args[1] == "substitute":
		return withCode("substitute", fluxSubstitute(args[2:], stdout))
	}
	return usage(fmt.Errorf("unknown command %q", args))
}

// usage marks a request the module cannot take (no such command, arguments not as the command takes them).
func usage(err error) error { return withCode("usage", err) }

// jsonArgument decodes a command's one JSON argument into spec: another count of arguments, or JSON that spec cannot
// hold, is a usage error naming the command.
func jsonArgument(command string, args []string, spec any) error {
	if len(args) != 1 {
		return usage(errors.New(command + " takes one JSON argument"))
	}
	if err := json.Unmarshal([]byte(args[0]), spec); err != nil {
		return usage(fmt.Errorf("%s: %w", command, err))
	}
	return nil
}
