//go:build windows || darwin

package vault

// DefaultChunkSize is the longest item (in bytes) the keychain backend writes
// here: Windows Credential Manager and the macOS Keychain limit item sizes.
const DefaultChunkSize = PortableChunkSize
