//go:build !(js && wasm) && !ameide_helper

package main

// captureStderr leaves os.Stderr as it is on the command line: what a library prints there is the process's stderr.
func captureStderr(*warnings) (restore func()) { return func() {} }
