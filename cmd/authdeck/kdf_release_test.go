//go:build !authdeck_testkdf

package main

import "testing"

// A release build wraps new vault identities at age's work factor whatever
// the environment says: the test-only setting exists only in binaries built
// with -tags authdeck_testkdf.
func TestReleaseBuildIgnoresTestWorkFactor(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"1", "10", "0", "junk"} {
		wf, err := testScryptWorkFactor(func(k string) string {
			if k == "AUTHDECK_TEST_SCRYPT_WORK_FACTOR" {
				return v
			}
			return ""
		})
		if wf != 0 || err != nil {
			t.Fatalf("with AUTHDECK_TEST_SCRYPT_WORK_FACTOR=%s a release build uses work factor %d (%v), want the default", v, wf, err)
		}
	}
}
