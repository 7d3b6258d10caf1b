//go:build !unix

package main

// noCoreDumps does nothing where there are no core files to turn off.
func noCoreDumps() error { return nil }
