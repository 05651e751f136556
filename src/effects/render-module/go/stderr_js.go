//go:build js && wasm

package main

import (
	"strings"
	"syscall/js"
)

// captureStderr has the host keep, for one command, what is written to os.Stderr (the host's fs.ameideCapture,
// ../memfs.ts): what a library prints there itself (kustomize's deprecation notices, `fmt.Fprintf(os.Stderr, …)`)
// becomes warnings, one per line. Go's runtime writes a fatal error or a stack (print) to file descriptor 2 itself,
// never through os.Stderr: that stays the host's stderr stream.
func captureStderr(w *warnings) (restore func()) {
	fs := js.Global().Get("fs")
	fs.Call("ameideCapture", true)
	done := false
	return func() {
		if done {
			return
		}
		done = true
		printed := fs.Call("ameideCapture", false).String()
		for _, line := range strings.Split(strings.TrimRight(printed, "\n"), "\n") {
			w.add(line)
		}
	}
}
