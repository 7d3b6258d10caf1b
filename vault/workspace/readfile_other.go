//go:build !unix

package workspace

import "os"

// readWhole reads a file of the folder.
func readWhole(name string) ([]byte, error) { return os.ReadFile(name) }
