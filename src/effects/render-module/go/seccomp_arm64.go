//go:build linux && ameide_helper

package main

import "golang.org/x/sys/unix"

// arm64 (built, not yet run here: the host's /proc check and self-test still stand between it and a render).
const (
	auditArch = unix.AUDIT_ARCH_AARCH64
	x32Bit    = 0 // no such numbers
)

// archRuntimeCalls: arm64 adds none to runtimeCalls (seccomp.go).
var archRuntimeCalls []uintptr

var pathCalls = []uintptr{
	unix.SYS_OPENAT, unix.SYS_OPENAT2, unix.SYS_NEWFSTATAT, unix.SYS_STATX,
	unix.SYS_FACCESSAT, unix.SYS_FACCESSAT2, unix.SYS_READLINKAT,
}
