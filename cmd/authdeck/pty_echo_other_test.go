//go:build !linux

package main

import (
	"os"
	"os/exec"

	"github.com/creack/pty"
)

// startOnPty starts cmd on a new terminal; the terminal's own end is not
// kept here (tty is nil).
func startOnPty(cmd *exec.Cmd) (ptmx, tty *os.File, err error) {
	ptmx, err = pty.Start(cmd)
	return ptmx, nil, err
}

// echoing cannot be read here; the test types as soon as the prompt shows.
func echoing(*os.File) bool { return false }
