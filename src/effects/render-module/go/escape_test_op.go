//go:build linux && ameide_helper && ameide_escape

package main

// The escape suite's request kind, compiled only into a helper built with the `ameide_escape` tag
// (test/gitops/render-module/render-native.test.ts builds one): a shipped helper has no such code, so no request can ask it to
// try anything. Each attempt runs after the filter, in the helper's own process, and says whether it was refused.

import (
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"strconv"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

type escapeRequest struct {
	// Port: a loopback TCP listener of the test's.
	Port int `json:"port"`
	// Marker: a program that, run, would create a file the test looks for.
	Marker string `json:"marker"`
}

type attempt struct {
	Name    string `json:"name"`
	Refused bool   `json:"refused"`
	Said    string `json:"said"`
}

func init() {
	escapeSuite = func(raw json.RawMessage) any {
		var r escapeRequest
		_ = json.Unmarshal(raw, &r)
		var out []attempt
		try := func(name string, err error) {
			said := "allowed"
			if err != nil {
				said = err.Error()
			}
			out = append(out, attempt{name, err != nil, said})
		}
		_, err := os.ReadFile("/proc/self/environ")
		try("read /proc/self/environ", err)
		_, err = os.ReadFile("/etc/passwd")
		try("read /etc/passwd", err)
		conn, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(r.Port), 2*time.Second)
		if conn != nil {
			conn.Close()
		}
		try("connect to the test's loopback listener", err)
		cmd := exec.Command(r.Marker)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stderr, os.Stderr
		try("fork and exec the marker (os/exec)", cmd.Run())
		try("execve the marker", unix.Exec(r.Marker, []string{r.Marker}, nil))
		markerPtr, _ := unix.BytePtrFromString(r.Marker)
		cwdFd := unix.AT_FDCWD
		_, _, errno := unix.Syscall6(unix.SYS_EXECVEAT, uintptr(cwdFd), uintptr(unsafe.Pointer(markerPtr)), 0, 0, 0, 0)
		try("execveat the marker", errnoErr(errno))
		_, _, errno = unix.RawSyscall(unix.SYS_FORK, 0, 0, 0)
		try("fork", errnoErr(errno))
		_, _, errno = unix.RawSyscall(unix.SYS_PTRACE, unix.PTRACE_TRACEME, 0, 0)
		try("ptrace(PTRACE_TRACEME)", errnoErr(errno))
		_, _, errno = unix.RawSyscall(unix.SYS_PTRACE, unix.PTRACE_ATTACH, uintptr(os.Getppid()), 0)
		try("ptrace(PTRACE_ATTACH, the host)", errnoErr(errno))
		var params [120]byte
		_, _, errno = unix.RawSyscall(unix.SYS_IO_URING_SETUP, 4, uintptr(unsafe.Pointer(&params[0])), 0)
		try("io_uring_setup", errnoErr(errno))
		_, _, errno = unix.RawSyscall(x32Bit|unix.SYS_GETPID, 0, 0, 0)
		try("x32 getpid", errnoErr(errno))
		name, _ := unix.BytePtrFromString("x")
		_, _, errno = unix.RawSyscall(unix.SYS_MEMFD_CREATE, uintptr(unsafe.Pointer(name)), 0, 0)
		try("memfd_create", errnoErr(errno))
		_, _, errno = unix.RawSyscall(unix.SYS_IOCTL, 1, unix.TIOCSTI, 0)
		try("ioctl(TIOCSTI)", errnoErr(errno))
		_, err = os.Getwd()
		try("getcwd", err)
		try("kill the host", unix.Kill(os.Getppid(), 0))
		return out
	}
}

// errnoErr: a raw call's errno, nil when it succeeded.
func errnoErr(e unix.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}
