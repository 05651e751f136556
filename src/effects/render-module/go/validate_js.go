//go:build js

package main

import (
	"errors"
	"io"
)

// kubeValidate is not linked into the WebAssembly module: the API server's validation (validate.go) brings CEL,
// kube-openapi's validators and their metrics, whose package inits would cost every render's start (+0.4 s of CPU,
// +80 MB). It runs in the native render helper (src/effects/render-module/native.ts nativeCommands).
func kubeValidate([]string, io.Writer) error {
	return usage(errors.New("kube validate runs in the native render helper, not in WebAssembly"))
}
