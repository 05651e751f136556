//go:build linux && ameide_helper

package main

// Landlock, the second layer under the seccomp filter (docs/security.md, "the native render helper"): a ruleset that
// handles every filesystem right the kernel's Landlock ABI knows, TCP bind and connect (ABI 4), and abstract UNIX
// sockets and signals outside the helper (ABI 6), with no rule granting any of them. Restricting the process to it
// leaves the helper no file, no TCP port and no process outside itself, whatever a future seccomp allow-list lets
// through. Where the kernel has no Landlock (before 5.13, or not enabled), the seccomp filter stands alone: the
// handshake says which ABI was applied (0: none).

import (
	"errors"
	"fmt"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The filesystem rights each Landlock ABI adds (include/uapi/linux/landlock.h).
var landlockFS = []struct {
	abi    int
	rights uint64
}{
	{1, unix.LANDLOCK_ACCESS_FS_EXECUTE | unix.LANDLOCK_ACCESS_FS_WRITE_FILE | unix.LANDLOCK_ACCESS_FS_READ_FILE |
		unix.LANDLOCK_ACCESS_FS_READ_DIR | unix.LANDLOCK_ACCESS_FS_REMOVE_DIR | unix.LANDLOCK_ACCESS_FS_REMOVE_FILE |
		unix.LANDLOCK_ACCESS_FS_MAKE_CHAR | unix.LANDLOCK_ACCESS_FS_MAKE_DIR | unix.LANDLOCK_ACCESS_FS_MAKE_REG |
		unix.LANDLOCK_ACCESS_FS_MAKE_SOCK | unix.LANDLOCK_ACCESS_FS_MAKE_FIFO | unix.LANDLOCK_ACCESS_FS_MAKE_BLOCK |
		unix.LANDLOCK_ACCESS_FS_MAKE_SYM},
	{2, unix.LANDLOCK_ACCESS_FS_REFER},
	{3, unix.LANDLOCK_ACCESS_FS_TRUNCATE},
	{5, unix.LANDLOCK_ACCESS_FS_IOCTL_DEV},
}

// landlockABI is the kernel's Landlock ABI version; 0 where it has none.
func landlockABI() int {
	v, _, errno := unix.Syscall(unix.SYS_LANDLOCK_CREATE_RULESET, 0, 0, unix.LANDLOCK_CREATE_RULESET_VERSION)
	if errno != 0 {
		return 0
	}
	return int(v)
}

// landlockRuleset is the attribute for `abi`, and its size as that ABI reads it.
func landlockRuleset(abi int) (unix.LandlockRulesetAttr, uintptr) {
	var attr unix.LandlockRulesetAttr
	for _, r := range landlockFS {
		if abi >= r.abi {
			attr.Access_fs |= r.rights
		}
	}
	size := unsafe.Sizeof(attr.Access_fs)
	if abi >= 4 {
		attr.Access_net = unix.LANDLOCK_ACCESS_NET_BIND_TCP | unix.LANDLOCK_ACCESS_NET_CONNECT_TCP
		size += unsafe.Sizeof(attr.Access_net)
	}
	if abi >= 6 {
		attr.Scoped = unix.LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | unix.LANDLOCK_SCOPE_SIGNAL
		size += unsafe.Sizeof(attr.Scoped)
	}
	return attr, size
}

// restrictByLandlock restricts every thread of the process (after no_new_privs, before the seccomp filter, which
// refuses Landlock's calls) to a ruleset that grants nothing, and answers the ABI applied (0: the kernel has none).
func restrictByLandlock() (int, error) {
	abi := landlockABI()
	if abi == 0 {
		return 0, nil
	}
	attr, size := landlockRuleset(abi)
	fd, _, errno := unix.Syscall(unix.SYS_LANDLOCK_CREATE_RULESET, uintptr(unsafe.Pointer(&attr)), size, 0)
	if errno != 0 {
		return 0, fmt.Errorf("landlock_create_ruleset (ABI %d): %w", abi, errno)
	}
	defer unix.Close(int(fd))
	// LANDLOCK_RESTRICT_SELF_TSYNC is not in every kernel: each thread Go has made so far restricts itself through
	// the runtime's own all-threads syscall, as seccomp's TSYNC reaches them.
	if _, _, errno := syscall.AllThreadsSyscall(unix.SYS_LANDLOCK_RESTRICT_SELF, fd, 0, 0); errno != 0 {
		if errors.Is(errno, syscall.ENOTSUP) {
			return 0, fmt.Errorf("landlock_restrict_self: %w (a cgo build cannot restrict every thread)", errno)
		}
		return 0, fmt.Errorf("landlock_restrict_self: %w", errno)
	}
	return abi, nil
}
