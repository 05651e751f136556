// Package main is ameide's render module: `helm template`, `helm dependency build` (file:// dependencies only),
// `kustomize build`, Argo CD's jsonnet evaluation (jsonnet.go) and a Flux Kustomization's post-build substitution
// (flux.go), from Helm's, kustomize's, go-jsonnet's and Flux's own Go packages, compiled to WebAssembly. It has no file, process, environment or socket but what its host hands it: the
// revision, in memory.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/google/go-jsonnet"
)

// Protocol names the request and response shapes; the host refuses a module that speaks another.
const Protocol = "ameide-render/3"

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
}

// Response is what the command printed and how it ended; Limit is set when it printed past OutputLimit.
type Response struct {
	Exit   int    `json:"exit"`
	Stdout string `json:"stdout"`
	Stderr string `json:"stderr"`
	// Limit names the limit the command reached: "output" or "objects".
	Limit string `json:"limit,omitempty"`
	// Code names a failure the host acts on: "missing-dependency" (a chart's dependency not in charts/).
	Code string `json:"code,omitempty"`
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

// Run runs one command; a panic in Helm's or kustomize's code is its error, not the module's end.
func Run(request Request) (response Response) {
	stdout := &capped{limit: request.OutputLimit}
	stderr := &capped{limit: 1 << 20}
	defer func() {
		if p := recover(); p != nil {
			response = Response{Exit: 2, Stderr: fmt.Sprintf("%s\npanic: %v\n%s", stderr.String(), p, debug.Stack())}
		}
	}()
	limits = request
	var err error
	switch {
	case request.HelmTemplate != nil:
		err = helmTemplate(request.HelmTemplate, stdout, stderr)
	case request.KustomizeBuild != nil:
		err = kustomizeBuild(request.KustomizeBuild, stdout, stderr)
	default:
		err = dispatch(request.Args, stdout, stderr)
	}
	response = Response{Stdout: stdout.String(), Stderr: stderr.String()}
	var reached errLimit
	switch {
	case stdout.reached:
		response.Limit = "output"
	case errors.As(err, &reached):
		response.Limit = reached.which
	}
	if errors.As(err, new(errMissingDependency)) {
		response.Code = "missing-dependency"
	}
	if err != nil {
		response.Exit = 1
		if response.Limit == "" {
			response.Stderr += "Error: " + err.Error() + "\n"
		}
	}
	return response
}

func dispatch(args []string, stdout, stderr *capped) error {
	if len(args) == 0 {
		return errors.New("no command")
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
		return argocdKustomizeEdit(args[2:], stdout, stderr)
	case len(args) >= 2 && args[0] == "flux" && args[1] == "generate":
		return fluxGenerate(args[2:])
	case len(args) >= 2 && args[0] == "flux" && args[1] == "artifact":
		return fluxArtifact(args[2:])
	case len(args) >= 2 && args[0] == "flux" && args[1] == "substitute":
		return fluxSubstitute(args[2:], stdout)
	}
	return fmt.Errorf("unknown command %q", args)
}
