// Package local opens the workspace kept on this machine: its catalog in
// the authdeck home directory and its values in the store the user chose —
// the OS keychain, an age-encrypted file, or memory ($AUTHDECK_VAULT).
package local

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/authdeck/authdeck/vault"
)

// Options say which vault to open.
type Options struct {
	// Home is the authdeck directory; empty means DefaultHome().
	Home string
	// Backend is keychain, file or memory; empty means $AUTHDECK_VAULT, else keychain.
	Backend string
	// Passphrase returns the file backend's passphrase (from $AUTHDECK_PASSPHRASE
	// or a prompt). It is called only when the file backend needs it.
	Passphrase func() (string, error)
	// KeychainTimeout bounds every keychain call; zero means 3 s.
	KeychainTimeout time.Duration
	// Keyring replaces the OS keyring (tests); nil means vault.SystemKeyring().
	Keyring vault.KeyringProvider
	// KeychainChunkSize is the longest keychain item; zero means vault.DefaultChunkSize.
	KeychainChunkSize int
	// FileWorkFactor is the file vault's scrypt work factor (log2); zero
	// means age's default, vault.DefaultScryptWorkFactor.
	FileWorkFactor int
	// FileAgent is asked for the file vault's unwrapped identity before the
	// passphrase is (authdeck unlock); nil means none.
	FileAgent vault.KeyAgent
}

// DefaultHome returns $AUTHDECK_HOME, else the OS user config dir + "/authdeck".
func DefaultHome() (string, error) {
	if h := os.Getenv("AUTHDECK_HOME"); h != "" {
		return h, nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("finding the user config directory (set AUTHDECK_HOME): %w", err)
	}
	return filepath.Join(dir, "authdeck"), nil
}

// backendFromEnv returns the backend named by $AUTHDECK_VAULT, or keychain.
func backendFromEnv() string {
	if b := os.Getenv("AUTHDECK_VAULT"); b != "" {
		return b
	}
	return vault.BackendKeychain
}

// ErrUnknownBackend is returned for an AUTHDECK_VAULT value that names no backend.
var ErrUnknownBackend = errors.New("unknown vault backend")

// Open opens the workspace: the catalog under Home and the chosen store.
// Opening makes no store call; a keychain that cannot be reached shows up on
// first use, with no silent fallback to another backend.
func Open(opts Options) (*vault.Vault, error) {
	backend := opts.Backend
	if backend == "" {
		backend = backendFromEnv()
	}
	if backend == vault.BackendMemory {
		return vault.NewMemory(), nil
	}
	home := opts.Home
	if home == "" {
		h, err := DefaultHome()
		if err != nil {
			return nil, err
		}
		home = h
	}
	var store vault.Store
	switch backend {
	case vault.BackendKeychain:
		store = vault.NewKeychainStore(vault.KeychainOptions{Provider: opts.Keyring, Timeout: opts.KeychainTimeout, ChunkSize: opts.KeychainChunkSize})
	case vault.BackendFile:
		s, err := vault.NewFileStore(vault.FileOptions{Dir: home, Passphrase: opts.Passphrase, WorkFactor: opts.FileWorkFactor, Agent: opts.FileAgent})
		if err != nil {
			return nil, err
		}
		store = s
	default:
		return nil, fmt.Errorf("%w %q (AUTHDECK_VAULT must be keychain, file or memory)", ErrUnknownBackend, backend)
	}
	cat, err := vault.OpenFileCatalog(home)
	if err != nil {
		return nil, err
	}
	return vault.New(cat, store), nil
}
