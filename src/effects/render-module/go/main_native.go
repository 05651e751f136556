//go:build !(js && wasm)

package main

import (
	"os"
)

// Built for this machine (`go build` in this folder), the same code answers on the command line:
// `render-module helm template …`, for comparing the WebAssembly build with itself natively.
func main() {
	r := Run(Request{Args: os.Args[1:]})
	_, _ = os.Stdout.WriteString(r.Stdout)
	_, _ = os.Stderr.WriteString(r.Stderr)
	os.Exit(r.Exit)
}
