//go:build ameide_helper

package main

import (
	"errors"
	"io"
)

// kubeValidate is not linked into the native helper, which renders only `helm template` (src/effects/render-module/
// native.ts nativeCommands): the API server's validation (validate.go) runs in the WebAssembly module, and the helper
// stays the size it was without it.
func kubeValidate([]string, io.Writer) error {
	return usage(errors.New("kube validate runs in the WebAssembly module, not the native helper"))
}
