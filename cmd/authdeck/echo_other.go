//go:build !linux

package main

// echoOff does nothing here: term.ReadPassword turns echo off when the read
// begins.
func echoOff(int) (func(), error) { return func() {}, nil }
