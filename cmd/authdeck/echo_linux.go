package main

import "golang.org/x/sys/unix"

// echoOff turns the terminal's echo off (keeping the newline echoed) and
// returns what puts it back. Doing it before the prompt is printed closes
// the window in which an answer typed as soon as the prompt shows would be
// echoed before the read begins.
func echoOff(fd int) (restore func(), err error) {
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return nil, err
	}
	quiet := *old
	quiet.Lflag &^= unix.ECHO
	quiet.Lflag |= unix.ECHONL
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &quiet); err != nil {
		return nil, err
	}
	return func() { _ = unix.IoctlSetTermios(fd, unix.TCSETS, old) }, nil
}
