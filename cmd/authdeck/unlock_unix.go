//go:build unix

package main

import "syscall"

// detachedProcAttr starts the agent in a session of its own, so the
// terminal's hang-up and job-control signals do not reach it.
func detachedProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setsid: true} }
