// Runs a command under a seccomp filter like a container runtime's default profile: no new namespaces (unshare,
// setns, clone with CLONE_NEW*; clone3 answers ENOSYS so libc falls back to clone), no mount, no pivot_root.
// test/gitops/render-module/render-no-namespaces.test.ts renders through it as a container without privileges would.
package main

import (
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// no_new_privs and a seccomp filter are a thread's: the filter, and the exec that carries it into the command, must
// happen on one thread. Unlocked, Go may run the exec on another of its threads, one without the filter.
func init() { runtime.LockOSThread() }

func main() {
	const errno = unix.SECCOMP_RET_ERRNO
	ins := []unix.SockFilter{
		{Code: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: 4}, // arch
		{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, K: unix.AUDIT_ARCH_X86_64, Jt: 1},
		{Code: unix.BPF_RET | unix.BPF_K, K: unix.SECCOMP_RET_KILL_PROCESS},
		{Code: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: 0}, // nr
	}
	deny := func(nr uint32, ret uint32) {
		ins = append(ins,
			unix.SockFilter{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, K: nr, Jf: 1},
			unix.SockFilter{Code: unix.BPF_RET | unix.BPF_K, K: ret})
	}
	deny(unix.SYS_UNSHARE, errno|uint32(unix.EPERM))
	deny(unix.SYS_SETNS, errno|uint32(unix.EPERM))
	deny(unix.SYS_MOUNT, errno|uint32(unix.EPERM))
	deny(unix.SYS_PIVOT_ROOT, errno|uint32(unix.EPERM))
	deny(unix.SYS_CLONE3, errno|uint32(unix.ENOSYS))
	// clone with any CLONE_NEW* flag (arg0, low 32 bits at offset 16)
	ins = append(ins,
		unix.SockFilter{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, K: unix.SYS_CLONE, Jf: 3},
		unix.SockFilter{Code: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: 16},
		unix.SockFilter{Code: unix.BPF_JMP | unix.BPF_JSET | unix.BPF_K, K: 0x7E020080, Jf: 1},
		unix.SockFilter{Code: unix.BPF_RET | unix.BPF_K, K: errno | uint32(unix.EPERM)},
		unix.SockFilter{Code: unix.BPF_RET | unix.BPF_K, K: unix.SECCOMP_RET_ALLOW})
	prog := unix.SockFprog{Len: uint16(len(ins)), Filter: &ins[0]}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		panic(err)
	}
	if _, _, e := syscall.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, uintptr(unsafe.Pointer(&prog))); e != 0 {
		panic(e)
	}
	path, err := exec.LookPath(os.Args[1])
	if err != nil {
		panic(err)
	}
	panic(syscall.Exec(path, os.Args[1:], os.Environ()))
}
