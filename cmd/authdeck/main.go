// Command authdeck is a terminal developer console for API credentials: a TUI
// and a scriptable CLI over environments, secrets and OAuth auth clients kept
// in the OS keychain.
package main

import (
	"os"
)

func main() {
	os.Exit(Main(os.Args[1:], SystemIO(), os.Getenv))
}
