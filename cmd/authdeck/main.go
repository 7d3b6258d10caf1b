// Command authdeck is a terminal developer console for API credentials: a TUI
// and a scriptable CLI over environments, secrets and OAuth auth clients kept
// in the OS keychain.
package main

import (
	"fmt"
	"os"
)

func main() {
	if err := noCoreDumps(); err != nil {
		// Lowering a limit is always allowed; failing to is worth saying
		// but not worth refusing to run.
		fmt.Fprintf(os.Stderr, "authdeck: could not turn core dumps off: %v\n", err)
	}
	os.Exit(Main(os.Args[1:], SystemIO(), os.Getenv))
}
