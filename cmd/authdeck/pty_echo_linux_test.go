package main

import (
	"os"
	"os/exec"
	"syscall"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// startOnPty starts cmd on a new terminal and keeps the terminal's own end
// (tty) open, so the test can see when the program turns echo off; close
// tty once nothing more is typed, so reading ptmx ends when cmd exits.
func startOnPty(cmd *exec.Cmd) (ptmx, tty *os.File, err error) {
	ptmx, tty, err = pty.Open()
	if err != nil {
		return nil, nil, err
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		ptmx.Close()
		tty.Close()
		return nil, nil, err
	}
	return ptmx, tty, nil
}

// echoing reports whether the terminal tty echoes what is typed, so a test
// types a secret only once the program has turned echo off.
func echoing(tty *os.File) bool {
	t, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
	return err != nil || t.Lflag&unix.ECHO != 0
}
