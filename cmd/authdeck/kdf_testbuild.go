//go:build authdeck_testkdf

package main

import (
	"fmt"
	"strconv"

	"github.com/authdeck/authdeck/vault"
)

// testKDFEnv names the variable a test build reads its scrypt work factor from.
const testKDFEnv = "AUTHDECK_TEST_SCRYPT_WORK_FACTOR"

// testScryptWorkFactor returns the work factor end-to-end tests set in
// AUTHDECK_TEST_SCRYPT_WORK_FACTOR, so every process of a test does not pay
// a second of scrypt. Only binaries built with -tags authdeck_testkdf have
// this (kdf_release.go is the release build's); a value outside 1..18 is
// refused rather than used.
func testScryptWorkFactor(getenv func(string) string) (int, error) {
	s := getenv(testKDFEnv)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > vault.DefaultScryptWorkFactor {
		return 0, fmt.Errorf("%s=%q: want a whole number in 1..%d (a test-build setting)", testKDFEnv, s, vault.DefaultScryptWorkFactor)
	}
	return n, nil
}
