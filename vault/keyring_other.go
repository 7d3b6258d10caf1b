//go:build !linux

package vault

// SystemKeyring returns the OS keyring: the macOS Keychain, the Windows
// Credential Manager, or the Secret Service on the BSDs, through go-keyring.
func SystemKeyring() KeyringProvider { return GoKeyring() }
