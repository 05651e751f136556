//go:build js && wasm

package main

import (
	"os"
	"strings"
)

// stderrFile is where a command's os.Stderr points while it runs: a file of the module's own file system, outside
// every revision (/.ameide/ holds the host's own files: inline values, Flux's built YAML).
const stderrFile = "/.ameide/stderr"

// captureStderr points os.Stderr at stderrFile for one command: what a library prints there itself (kustomize's
// deprecation notices, `fmt.Fprintf(os.Stderr, …)`) becomes warnings, one per line. Go's runtime writes a fatal error
// to file descriptor 2 itself, never through os.Stderr: that stays the host's stderr stream.
func captureStderr(w *warnings) (restore func()) {
	saved := os.Stderr
	if err := os.MkdirAll("/.ameide", 0o755); err != nil {
		return func() {}
	}
	f, err := os.Create(stderrFile)
	if err != nil {
		return func() {}
	}
	os.Stderr = f
	done := false
	return func() {
		if done {
			return
		}
		done = true
		os.Stderr = saved
		_ = f.Close()
		data, _ := os.ReadFile(stderrFile)
		_ = os.Remove(stderrFile)
		for _, line := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
			w.add(line)
		}
	}
}
