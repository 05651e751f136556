//go:build linux && ameide_helper

package main

import "golang.org/x/sys/unix"

const (
	auditArch = unix.AUDIT_ARCH_X86_64
	// x32Bit is __X32_SYSCALL_BIT: numbers at or above it are x32 calls.
	x32Bit = 0x40000000
)

// archRuntimeCalls are the runtime's calls (runtimeCalls, seccomp.go) that amd64 alone has.
var archRuntimeCalls = []uintptr{unix.SYS_ARCH_PRCTL, unix.SYS_EPOLL_WAIT}

// pathCalls name a path: answered ENOENT.
var pathCalls = []uintptr{
	unix.SYS_OPEN, unix.SYS_OPENAT, unix.SYS_OPENAT2, unix.SYS_CREAT,
	unix.SYS_STAT, unix.SYS_LSTAT, unix.SYS_NEWFSTATAT, unix.SYS_STATX,
	unix.SYS_ACCESS, unix.SYS_FACCESSAT, unix.SYS_FACCESSAT2, unix.SYS_READLINK, unix.SYS_READLINKAT,
}
