//go:build !authdeck_testkdf

package main

// testScryptWorkFactor is the scrypt work factor tests ask for when they
// wrap a new vault identity. A release build has no such knob: it always
// wraps at age's work factor (0 here means the default), whatever the
// environment says. Test binaries built with -tags authdeck_testkdf read
// it from the environment (kdf_testbuild.go).
func testScryptWorkFactor(func(string) string) (int, error) { return 0, nil }
