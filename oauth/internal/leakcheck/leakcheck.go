// Package leakcheck ends the test binaries of the flows with a goroutine
// leak check (S-05: a flow leaves no listener or browser goroutine behind).
package leakcheck

import (
	"fmt"
	"net/http"
	"os"

	"go.uber.org/goleak"
)

// Check closes the idle connections of the tests' transports, so keep-alive
// connections do not count as leaks, and, when code says the tests passed,
// turns a leaked goroutine into a failure. It returns the exit code.
func Check(code int, idle ...*http.Transport) int {
	for _, t := range idle {
		t.CloseIdleConnections()
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goroutine leak:", err)
			return 1
		}
	}
	return code
}
