//go:build js && wasm

package main

import (
	"encoding/json"
	"syscall/js"
)

// The CLI's worker calls globalThis.ameideRender(requestJSON) → responseJSON, synchronously; the files the command
// reads are the worker's in-memory file system (Go's os package reaches it through globalThis.fs), nothing else.
func main() {
	js.Global().Set("ameideRender", js.FuncOf(func(this js.Value, args []js.Value) any {
		if len(args) != 1 || args[0].Type() != js.TypeString {
			return answer(badRequest("ameideRender takes one JSON request"))
		}
		var request Request
		if err := json.Unmarshal([]byte(args[0].String()), &request); err != nil {
			return answer(badRequest(err.Error()))
		}
		return answer(Run(request))
	}))
	select {}
}

func answer(r Response) string {
	out, _ := json.Marshal(r)
	return string(out)
}

// badRequest answers a request the module cannot read.
func badRequest(message string) Response {
	return Response{Exit: 2, Warnings: []string{}, Error: &ErrorInfo{Code: "usage", Message: message}}
}
