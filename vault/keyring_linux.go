package vault

var systemSecretService = newSecretServiceKeyring()

// SystemKeyring returns the OS keyring. On Linux it is the Secret Service,
// spoken to directly with one session kept for the life of the process
// (see secretServiceKeyring); its items are go-keyring's.
func SystemKeyring() KeyringProvider { return systemSecretService }
