//go:build linux

// seccomp-refused runs a command in a process where installing a seccomp filter is refused for real: it sets
// no_new_privs, installs a seccomp filter of its own on its thread that answers seccomp(2) and
// prctl(PR_SET_SECCOMP) with EPERM (everything else allowed), then execs the command, which keeps the filter — and so
// does every process it starts. The native render helper's confinement then fails as it would in a container whose
// seccomp profile refuses these calls (test/gitops/render-module/render-native-refused.test.ts).
//
//	seccomp-refused <command> [args...]
package main

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"unsafe"
)

type sockFilter struct {
	code   uint16
	jt, jf uint8
	k      uint32
}

type sockFprog struct {
	len    uint16
	filter *sockFilter
}

const (
	ldAbs    = 0x20 // BPF_LD | BPF_W | BPF_ABS
	jeqK     = 0x15 // BPF_JMP | BPF_JEQ | BPF_K
	retK     = 0x06 // BPF_RET | BPF_K
	allow    = 0x7fff0000
	eperm    = 0x00050000 | uint32(syscall.EPERM) // SECCOMP_RET_ERRNO | EPERM
	prSetNNP = 38                                 // PR_SET_NO_NEW_PRIVS
	prSetSec = 22                                 // PR_SET_SECCOMP
	modeBPF  = 2                                  // SECCOMP_MODE_FILTER
)

// The audit architecture and the numbers of seccomp(2) and prctl(2) of this build's architecture.
func numbers() (arch, seccomp, prctl uint32) {
	switch runtime.GOARCH {
	case "amd64":
		return 0xc000003e, 317, 157
	case "arm64":
		return 0xc00000b7, 277, 167
	}
	fmt.Fprintf(os.Stderr, "seccomp-refused: no numbers for %s\n", runtime.GOARCH)
	os.Exit(2)
	return
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: seccomp-refused <command> [args...]")
		os.Exit(2)
	}
	// The filter is this thread's (no TSYNC): the exec must happen on it.
	runtime.LockOSThread()
	arch, seccomp, prctl := numbers()
	filter := []sockFilter{
		{ldAbs, 0, 0, 4},       // 0: A = arch
		{jeqK, 0, 5, arch},     // 1: another architecture → 7 (allow)
		{ldAbs, 0, 0, 0},       // 2: A = nr
		{jeqK, 4, 0, seccomp},  // 3: seccomp → 8 (EPERM)
		{jeqK, 0, 2, prctl},    // 4: not prctl → 7 (allow)
		{ldAbs, 0, 0, 16},      // 5: A = low word of args[0]
		{jeqK, 1, 0, prSetSec}, // 6: PR_SET_SECCOMP → 8 (EPERM)
		{retK, 0, 0, allow},    // 7
		{retK, 0, 0, eperm},    // 8
	}
	prog := sockFprog{len: uint16(len(filter)), filter: &filter[0]}
	if _, _, e := syscall.RawSyscall6(syscall.SYS_PRCTL, prSetNNP, 1, 0, 0, 0, 0); e != 0 {
		fail("prctl(PR_SET_NO_NEW_PRIVS)", e)
	}
	if _, _, e := syscall.RawSyscall(syscall.SYS_PRCTL, prSetSec, modeBPF, uintptr(unsafe.Pointer(&prog))); e != 0 {
		fail("prctl(PR_SET_SECCOMP)", e)
	}
	command, err := exec.LookPath(os.Args[1])
	if err != nil {
		fail("look up the command", err)
	}
	fail("exec", syscall.Exec(command, os.Args[1:], os.Environ()))
}

func fail(what string, err error) {
	fmt.Fprintf(os.Stderr, "seccomp-refused: %s: %v\n", what, err)
	os.Exit(2)
}
