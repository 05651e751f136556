//go:build linux && ameide_helper

package main

import (
	"io"
	"os"
	"strings"
)

// captureStderr keeps, for one command, what is written to os.Stderr (kustomize's deprecation notices,
// `fmt.Fprintf(os.Stderr, …)`) as warnings, one per line, as the WebAssembly build's does (stderr_js.go): os.Stderr
// is a pipe's end while the command runs, read as it is written. Go's runtime writes a fatal error or a stack to file
// descriptor 2 itself, never through os.Stderr: that stays the host's stderr stream.
func captureStderr(w *warnings) (restore func()) {
	r, pw, err := os.Pipe()
	if err != nil {
		return func() {}
	}
	saved := os.Stderr
	os.Stderr = pw
	printed := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(r)
		_ = r.Close()
		printed <- string(b)
	}()
	done := false
	return func() {
		if done {
			return
		}
		done = true
		os.Stderr = saved
		_ = pw.Close()
		for _, line := range strings.Split(strings.TrimRight(<-printed, "\n"), "\n") {
			w.add(line)
		}
	}
}
