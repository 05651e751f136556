//go:build linux && ameide_helper

package main

// The native helper's confinement, applied by main before it reads one byte of a request (docs/security.md, "the
// native render helper"): foreign descriptors closed, rlimits, no_new_privs, Landlock where the kernel has it
// (landlock_linux.go), then a seccomp-bpf allow-list installed
// with SECCOMP_FILTER_FLAG_TSYNC (Go's runtime has threads before main: the filter reaches every one of them and every
// thread made after), then a self-test whose results the handshake carries to the host.

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// bpf instruction classes and fields (linux/filter.h, linux/bpf_common.h).
const (
	bpfLD   = 0x00
	bpfW    = 0x00
	bpfABS  = 0x20
	bpfJMP  = 0x05
	bpfJEQ  = 0x10
	bpfJGE  = 0x30
	bpfJSET = 0x40
	bpfK    = 0x00
	bpfRET  = 0x06

	// struct seccomp_data's offsets.
	offNr   = 0
	offArch = 4
	offArg0 = 16 // the low 32 bits of args[0] on a little-endian machine

	retAllow = 0x7fff0000 // SECCOMP_RET_ALLOW
	retErrno = unix.SECCOMP_RET_ERRNO
	retKill  = unix.SECCOMP_RET_KILL_PROCESS
)

// program is a small assembler of a seccomp filter: straight-line checks, each jumping at most a few instructions.
type program []unix.SockFilter

func (p *program) stmt(code uint16, k uint32) {
	*p = append(*p, unix.SockFilter{Code: code, K: k})
}

func (p *program) jump(code uint16, k uint32, jt, jf uint8) {
	*p = append(*p, unix.SockFilter{Code: code, Jt: jt, Jf: jf, K: k})
}

func (p *program) loadNr() { p.stmt(bpfLD|bpfW|bpfABS, offNr) }

// answer: syscall nr gets action.
func (p *program) answer(nr uintptr, action uint32) {
	p.jump(bpfJMP|bpfJEQ|bpfK, uint32(nr), 0, 1)
	p.stmt(bpfRET|bpfK, action)
}

// allowWithArg0: nr is allowed when its first argument's low word has `bits` set (mask) or equals `equal`;
// otherwise EPERM. The accumulator is the syscall number again for the next check either way.
func (p *program) allowWithArg0(nr uintptr, test uint16, k uint32) {
	p.jump(bpfJMP|bpfJEQ|bpfK, uint32(nr), 0, 4)
	p.stmt(bpfLD|bpfW|bpfABS, offArg0)
	p.jump(bpfJMP|test|bpfK, k, 0, 1)
	p.stmt(bpfRET|bpfK, retAllow)
	p.stmt(bpfRET|bpfK, retErrno|uint32(unix.EPERM))
}

// filter is the helper's seccomp program:
//   - another audit architecture than this build's: the process is killed (its numbers mean other calls);
//   - x32 numbers (amd64): EPERM;
//   - the Go runtime's own calls (runtimeCalls, per architecture): allowed;
//   - clone only with CLONE_THREAD (a thread of this process; fork, vfork and clone3 refused);
//   - prctl only PR_GET_SECCOMP (the self-test);
//   - the open/stat family (pathCalls): ENOENT, so that a path outside the revision looks absent, as in WebAssembly;
//   - everything else — socket, connect, execve, execveat, ptrace, io_uring_*, memfd_create, ioctl, kill, getcwd,
//     chdir, mkdir… — EPERM.
func filter() program {
	var p program
	p.stmt(bpfLD|bpfW|bpfABS, offArch)
	p.jump(bpfJMP|bpfJEQ|bpfK, auditArch, 1, 0)
	p.stmt(bpfRET|bpfK, retKill)
	p.loadNr()
	if x32Bit != 0 {
		p.jump(bpfJMP|bpfJGE|bpfK, x32Bit, 0, 1)
		p.stmt(bpfRET|bpfK, retErrno|uint32(unix.EPERM))
	}
	for _, nr := range runtimeCalls {
		p.answer(nr, retAllow)
	}
	p.allowWithArg0(unix.SYS_CLONE, bpfJSET, unix.CLONE_THREAD)
	p.allowWithArg0(unix.SYS_PRCTL, bpfJEQ, unix.PR_GET_SECCOMP)
	p.answer(unix.SYS_CLONE3, retErrno|uint32(unix.ENOSYS))
	for _, nr := range pathCalls {
		p.answer(nr, retErrno|uint32(unix.ENOENT))
	}
	p.stmt(bpfRET|bpfK, retErrno|uint32(unix.EPERM))
	return p
}

// closeForeign closes every descriptor but 0, 1 and 2 and the runtime's own (its netpoller's epoll and eventfd,
// anonymous inodes that reach nothing outside the process).
func closeForeign() error {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return fmt.Errorf("reading /proc/self/fd: %w", err)
	}
	var foreign []int
	for _, e := range entries {
		fd, err := strconv.Atoi(e.Name())
		if err != nil || fd <= 2 {
			continue
		}
		target, err := os.Readlink("/proc/self/fd/" + e.Name())
		if err != nil {
			continue // the ReadDir's own descriptor, closed since
		}
		if target == "anon_inode:[eventpoll]" || target == "anon_inode:[eventfd]" {
			continue
		}
		foreign = append(foreign, fd)
	}
	for _, fd := range foreign {
		_ = unix.Close(fd)
	}
	return nil
}

// setLimits: no core file, few descriptors, and the address space (the memory limit: Go's runtime
// then ends with its out-of-memory, which the host reports as the memory limit). RLIMIT_NPROC is left: it counts
// every task of the user across the machine, so a small value would stop Go's runtime from making its threads while
// a fork is refused by the filter's clone rule anyway.
func setLimits(addressSpace uint64) error {
	limits := []struct {
		which int
		value uint64
	}{{unix.RLIMIT_CORE, 0}, {unix.RLIMIT_NOFILE, 16}}
	if addressSpace > 0 {
		limits = append(limits, struct {
			which int
			value uint64
		}{unix.RLIMIT_AS, addressSpace})
	}
	for _, l := range limits {
		if err := unix.Setrlimit(l.which, &unix.Rlimit{Cur: l.value, Max: l.value}); err != nil {
			return fmt.Errorf("setrlimit %d: %w", l.which, err)
		}
	}
	return nil
}

// confine applies it all, in this order; any failure ends the helper before it reads a request.
func confine(addressSpace uint64) error {
	if err := closeForeign(); err != nil {
		return err
	}
	if err := setLimits(addressSpace); err != nil {
		return err
	}
	// Every thread: Landlock restricts each thread that asks, and asks no_new_privs of it.
	if _, _, errno := syscall.AllThreadsSyscall6(unix.SYS_PRCTL, unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0); errno != 0 {
		return fmt.Errorf("PR_SET_NO_NEW_PRIVS: %w", errno)
	}
	abi, err := restrictByLandlock()
	if err != nil {
		return err
	}
	landlockApplied = abi
	p := filter()
	prog := unix.SockFprog{Len: uint16(len(p)), Filter: &p[0]}
	r, _, errno := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, unix.SECCOMP_FILTER_FLAG_TSYNC, uintptr(unsafe.Pointer(&prog)))
	if errno != 0 {
		return fmt.Errorf("seccomp: %w", errno)
	}
	if r != 0 {
		return fmt.Errorf("seccomp: thread %d could not be synchronised", r)
	}
	return nil
}

// landlockApplied is the Landlock ABI confine applied (0: the kernel has none).
var landlockApplied int

// SelfTest is what the helper checked of its own confinement, told in its handshake.
type SelfTest struct {
	Open    string `json:"open"`
	Socket  string `json:"socket"`
	Exec    string `json:"exec"`
	Seccomp int    `json:"seccomp"`
	// Landlock is the ABI of the ruleset the helper restricted itself to (0: the kernel has no Landlock).
	Landlock int  `json:"landlock"`
	Passed   bool `json:"passed"`
}

// selfTest: open of /etc/passwd, a socket and an exec must fail; PR_GET_SECCOMP must say 2 (filter mode).
func selfTest() SelfTest {
	var t SelfTest
	refused := func(err error) string {
		if err == nil {
			return "allowed"
		}
		return err.Error()
	}
	fd, err := unix.Open("/etc/passwd", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err == nil {
		_ = unix.Close(fd)
	}
	t.Open = refused(err)
	sock, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err == nil {
		_ = unix.Close(sock)
	}
	t.Socket = refused(err)
	// An exec that got through would replace this process: the host then never reads a handshake (and falls back).
	t.Exec = refused(unix.Exec("/bin/true", []string{"true"}, nil))
	mode, err := unix.PrctlRetInt(unix.PR_GET_SECCOMP, 0, 0, 0, 0)
	if err == nil {
		t.Seccomp = mode
	}
	t.Landlock = landlockApplied
	t.Passed = err == nil && mode == 2 && !strings.Contains(t.Open+t.Socket+t.Exec, "allowed")
	return t
}
