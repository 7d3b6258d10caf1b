//go:build !unix

package main

import "syscall"

// detachedProcAttr has nothing to add where there are no sessions.
func detachedProcAttr() *syscall.SysProcAttr { return nil }
