package vault

// The keychain backend's limits, for the external tests that check them.
const (
	MaxKeyLen        = maxKeyLen
	MaxKeychainValue = maxKeychainValue
	MinChunkSize     = minChunkSize
)
