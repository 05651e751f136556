//go:build !(js && wasm) && !ameide_helper

package main

import (
	"encoding/json"
	"os"
)

// Built for this machine (`go build` in this folder), the same code answers on the command line, one request as
// JSON (`render-module '{"helmTemplate":{"release":"rel","chart":"."}}'`) or one command's argv
// (`render-module helm dependency build .`), for comparing the WebAssembly build with itself natively.
func main() {
	request := Request{Args: os.Args[1:]}
	if len(os.Args) == 2 && json.Valid([]byte(os.Args[1])) {
		request = Request{}
		_ = json.Unmarshal([]byte(os.Args[1]), &request)
	}
	r := Run(request)
	_, _ = os.Stdout.WriteString(r.Stdout)
	for _, w := range r.Warnings {
		_, _ = os.Stderr.WriteString(w + "\n")
	}
	if r.Error != nil {
		_, _ = os.Stderr.WriteString("Error: " + r.Error.Message + "\n")
	}
	os.Exit(r.Exit)
}
