//go:build unix

package main

import "syscall"

// noCoreDumps sets RLIMIT_CORE to 0 (S-46): a crash must not write the
// process's memory, with every secret it holds, to a core file.
func noCoreDumps() error {
	return syscall.Setrlimit(syscall.RLIMIT_CORE, &syscall.Rlimit{Cur: 0, Max: 0})
}
