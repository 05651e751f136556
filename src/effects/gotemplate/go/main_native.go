//go:build !js

package main

import (
	"io"
	"os"

	"ameide.dev/gotemplate/engine"
)

// The native build (the differential test): one request on stdin, its response on stdout.
func main() {
	input, err := io.ReadAll(os.Stdin)
	if err != nil {
		os.Exit(2)
	}
	os.Stdout.Write(engine.Handle(input))
}
