package vault

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"filippo.io/age"
)

// KeyAgent is a process that keeps file vault identities unwrapped for a
// while (`authdeck unlock`), so the commands that follow derive no key
// from the passphrase.
type KeyAgent interface {
	// Identity returns the identity unwrapped from the identity file whose
	// bytes have SHA-256 sum, or nil when the agent holds none (or none
	// answers).
	Identity(sum [32]byte) *age.X25519Identity
}

// askAgent asks the agent for the identity of the identity file with sum.
// The caller holds f.mu.
func (f *FileStore) askAgent(sum [32]byte) *age.X25519Identity {
	if f.agent == nil {
		return nil
	}
	id := f.agent.Identity(sum)
	if id != nil {
		f.agentHits++
	}
	return id
}

// identityFromAgent takes the identity from the agent when it holds the one
// of the identity file on disk, and says whether it did. The caller holds
// f.mu.
func (f *FileStore) identityFromAgent() bool {
	if f.agent == nil {
		return false
	}
	data, err := os.ReadFile(f.idPath)
	if err != nil {
		return false
	}
	sum := sha256.Sum256(data)
	if id := f.askAgent(sum); id != nil {
		f.id, f.idSum = id, sum
		return true
	}
	return false
}

// UnwrapIdentity returns the vault's identity, unwrapped with the passphrase
// (one key derivation, or none when the agent holds it), and the SHA-256 of
// the identity file it came from, for `authdeck unlock` to hand to an agent.
// A vault with no identity file yet (none stored, or one in the earlier
// format, encrypted to the passphrase) wraps ErrNotFound.
func (f *FileStore) UnwrapIdentity(ctx context.Context) (*age.X25519Identity, [32]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, [32]byte{}, ctxTimeout(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := os.Stat(f.idPath); errors.Is(err, fs.ErrNotExist) {
		return nil, [32]byte{}, f.fail("unlock", "", fmt.Errorf("%w: %s does not exist yet (it is written with the first value stored, or when a vault of the earlier format is next changed)", ErrNotFound, f.idPath))
	}
	id, err := f.identity()
	if err != nil {
		return nil, [32]byte{}, f.fail("unlock", "", err)
	}
	return id, f.idSum, nil
}
