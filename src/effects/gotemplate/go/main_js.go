//go:build js && wasm

package main

import (
	"syscall/js"

	"ameide.dev/gotemplate/engine"
)

// The CLI's worker calls globalThis.ameideGoTemplate(requestJSON) → responseJSON, synchronously.
func main() {
	js.Global().Set("ameideGoTemplate", js.FuncOf(func(this js.Value, args []js.Value) any {
		if len(args) != 1 || args[0].Type() != js.TypeString {
			return string(engine.Handle(nil))
		}
		return string(engine.Handle([]byte(args[0].String())))
	}))
	select {}
}
