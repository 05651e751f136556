// landlock-abi prints the kernel's Landlock ABI version (0: none), asked as the native render helper asks it
// (landlock_create_ruleset with LANDLOCK_CREATE_RULESET_VERSION): test/gitops/render-module/render-native.test.ts holds the
// helper's handshake to it.
package main

import (
	"fmt"
	"syscall"
)

// sysLandlockCreateRuleset is the same number on every architecture (the generic syscall table).
const sysLandlockCreateRuleset = 444

func main() {
	v, _, errno := syscall.Syscall(sysLandlockCreateRuleset, 0, 0, 1)
	if errno != 0 {
		v = 0
	}
	fmt.Println(v)
}
