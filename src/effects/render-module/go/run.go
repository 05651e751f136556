// Package main is ameide's render module: `helm template`, `helm dependency build` (file:// dependencies only) and
// `kustomize build`, from Helm's and kustomize's own Go packages, compiled to WebAssembly. It has no file, process,
// environment or socket but what its host hands it: the revision, in memory.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"runtime/debug"
)

// Protocol names the request and response shapes; the host refuses a module that speaks another.
const Protocol = "ameide-render/1"

// Request is one command: its argv without the program name ("helm" or "kustomize" first).
type Request struct {
	Args []string `json:"args"`
	// OutputLimit caps what the command may print, in bytes (0: no cap).
	OutputLimit int `json:"outputLimit"`
}

// Response is what the command printed and how it ended; Limit is set when it printed past OutputLimit.
type Response struct {
	Exit   int    `json:"exit"`
	Stdout string `json:"stdout"`
	Stderr string `json:"stderr"`
	Limit  bool   `json:"limit,omitempty"`
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
	err := dispatch(request.Args, stdout, stderr)
	response = Response{Stdout: stdout.String(), Stderr: stderr.String(), Limit: stdout.reached}
	if err != nil {
		response.Exit = 1
		if !stdout.reached {
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
		fmt.Fprintf(stdout, `{"protocol":%q,"helm":%q,"kustomize":%q}`, Protocol, helmVersion(), kustomizeVersion())
		return nil
	case len(args) >= 2 && args[0] == "helm" && args[1] == "template":
		return helmTemplate(args[2:], stdout, stderr)
	case len(args) >= 3 && args[0] == "helm" && args[1] == "dependency" && args[2] == "build":
		return helmDependencyBuild(args[3:], stdout)
	case len(args) >= 2 && args[0] == "kustomize" && args[1] == "build":
		return kustomizeBuild(args[2:], stdout, stderr)
	}
	return fmt.Errorf("unknown command %q", args)
}
