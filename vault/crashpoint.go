//go:build !authdeck_crashtest || !unix

package vault

// crashPoint marks an instant at which the crash test (a build with the
// authdeck_crashtest tag) may kill the process; in every other build it
// does nothing.
func crashPoint(string) {}
