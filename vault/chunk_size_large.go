//go:build !windows && !darwin

package vault

// DefaultChunkSize is the longest item (in bytes) the keychain backend writes
// here. The Secret Service has no small item limit, and every item costs
// several D-Bus round trips, so a token set or a PEM stays in one item; only
// larger values are chunked.
const DefaultChunkSize = 64 << 10
