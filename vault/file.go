package vault

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"filippo.io/age"
	"github.com/gofrs/flock"
)

// File vault names and defaults.
const (
	// FileVaultName is the encrypted vault's file name inside the home directory.
	FileVaultName = "vault.age"
	// DefaultScryptWorkFactor is age's own scrypt work factor (2^18), about a
	// second of work per encryption or decryption by design.
	DefaultScryptWorkFactor = 18
	// DefaultFileLockTimeout bounds the wait for another process's vault lock.
	DefaultFileLockTimeout = 10 * time.Second
	// maxScryptWorkFactor is the most work a vault file may ask of a decryption.
	maxScryptWorkFactor = 22
	// fileFormat and fileVersion identify the decrypted document.
	fileFormat  = "authdeck-vault"
	fileVersion = 1
)

// FileOptions configure a file store.
type FileOptions struct {
	// Dir is the authdeck home directory; the vault is Dir/vault.age.
	Dir string
	// Passphrase returns the vault passphrase; it is called only when the
	// vault has to be decrypted or first created, and again after a wrong one.
	Passphrase func() (string, error)
	// WorkFactor is the scrypt work factor (log2) for new encryptions; zero
	// means DefaultScryptWorkFactor. Tests lower it to run fast.
	WorkFactor int
	// LockTimeout bounds the wait for another process's lock; zero means
	// DefaultFileLockTimeout.
	LockTimeout time.Duration
}

// FileStore is the Store kept in one age-encrypted file (scrypt passphrase
// recipient), readable with the standard age tool. Writes take a
// cross-process lock, re-read the file under it and replace it atomically;
// the decrypted content is cached until the file changes, since every
// decryption pays the scrypt cost.
type FileStore struct {
	path        string
	lock        *flock.Flock
	passphrase  func() (string, error)
	workFactor  int
	lockTimeout time.Duration

	mu   sync.Mutex // guards the fields below and serialises flock use
	pass string     // the passphrase, until it fails to open the vault
	// cacheSum is the SHA-256 of the ciphertext cacheVals was decrypted from.
	cacheSum  [32]byte
	cacheVals map[string][]byte
	cached    bool
	// decrypts counts decryptions, so tests can check the cache works.
	decrypts int
}

// fileDoc is the decrypted vault document. Values are base64 in JSON.
type fileDoc struct {
	Format  string            `json:"format"`
	Version int               `json:"version"`
	Values  map[string][]byte `json:"values"`
}

// NewFileStore prepares a file store in opts.Dir (created 0700). It reads
// nothing and never asks for the passphrase.
func NewFileStore(opts FileOptions) (*FileStore, error) {
	if opts.Dir == "" {
		return nil, errors.New("file vault: no directory given")
	}
	if err := EnsurePrivateDir(opts.Dir); err != nil {
		return nil, err
	}
	f := &FileStore{
		path:        filepath.Join(opts.Dir, FileVaultName),
		lock:        flock.New(filepath.Join(opts.Dir, "vault.lock")),
		passphrase:  opts.Passphrase,
		workFactor:  opts.WorkFactor,
		lockTimeout: opts.LockTimeout,
	}
	if f.workFactor == 0 {
		f.workFactor = DefaultScryptWorkFactor
	}
	if f.workFactor < 1 || f.workFactor > maxScryptWorkFactor {
		return nil, fmt.Errorf("file vault: scrypt work factor %d is outside 1..%d", f.workFactor, maxScryptWorkFactor)
	}
	if f.lockTimeout <= 0 {
		f.lockTimeout = DefaultFileLockTimeout
	}
	return f, nil
}

// Backend returns "file".
func (f *FileStore) Backend() string { return BackendFile }

// Path returns the vault file's path.
func (f *FileStore) Path() string { return f.path }

// Get returns the value stored under key.
func (f *FileStore) Get(ctx context.Context, key string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, f.fail("get", key, ctxTimeout(err))
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	vals, err := f.current()
	if err != nil {
		return nil, f.fail("get", key, err)
	}
	v, ok := vals[key]
	if !ok {
		return nil, f.fail("get", key, ErrNotFound)
	}
	return slices.Clone(v), nil
}

// Set stores value under key.
func (f *FileStore) Set(ctx context.Context, key string, value []byte) error {
	err := f.update(ctx, func(vals map[string][]byte) error {
		vals[key] = slices.Clone(value)
		if vals[key] == nil {
			vals[key] = []byte{}
		}
		return nil
	})
	if err != nil {
		return f.fail("set", key, err)
	}
	return nil
}

// Delete removes the value under key.
func (f *FileStore) Delete(ctx context.Context, key string) error {
	err := f.update(ctx, func(vals map[string][]byte) error {
		if _, ok := vals[key]; !ok {
			return ErrNotFound
		}
		delete(vals, key)
		return nil
	})
	if err != nil {
		return f.fail("delete", key, err)
	}
	return nil
}

// Items lists what the vault keeps for key (the key itself or nothing), so
// tests can check a delete left nothing behind.
func (f *FileStore) Items(ctx context.Context, key string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, f.fail("list", key, ctxTimeout(err))
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	vals, err := f.current()
	if err != nil {
		return nil, f.fail("list", key, err)
	}
	if _, ok := vals[key]; ok {
		return []string{key}, nil
	}
	return nil, nil
}

// Keys returns every key in the vault (never values), sorted.
func (f *FileStore) Keys(ctx context.Context) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, f.fail("list", "", ctxTimeout(err))
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	vals, err := f.current()
	if err != nil {
		return nil, f.fail("list", "", err)
	}
	return slices.Sorted(maps.Keys(vals)), nil
}

// update locks the vault across processes, re-reads it, applies fn to a copy
// of its values and writes the result atomically. A vault that cannot be
// read is never overwritten.
func (f *FileStore) update(ctx context.Context, fn func(map[string][]byte) error) error {
	if err := ctx.Err(); err != nil {
		return ctxTimeout(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	// Ask for the passphrase of an existing vault before taking the lock, so
	// a prompt waiting for the user does not hold other processes up.
	if f.pass == "" {
		if _, err := os.Stat(f.path); err == nil {
			if _, err := f.getPassphrase(); err != nil {
				return err
			}
		}
	}
	lctx, cancel := context.WithTimeout(ctx, f.lockTimeout)
	defer cancel()
	ok, err := f.lock.TryLockContext(lctx, 5*time.Millisecond)
	if !ok || err != nil {
		if perr := ctx.Err(); perr != nil {
			return ctxTimeout(perr)
		}
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("%w: locking %s: %v", ErrUnavailable, f.lock.Path(), err)
		}
		return fmt.Errorf("%w: another authdeck process has held %s for %v", ErrTimeout, f.lock.Path(), f.lockTimeout)
	}
	defer func() { _ = f.lock.Unlock() }()

	vals, err := f.current()
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	next := make(map[string][]byte, len(vals)+1)
	maps.Copy(next, vals)
	if err := fn(next); err != nil {
		return err
	}
	pass, err := f.getPassphrase()
	if err != nil {
		return err
	}
	ct, err := encryptVault(next, pass, f.workFactor)
	if err != nil {
		return err
	}
	if err := WriteFileAtomic(f.path, ct); err != nil {
		return fmt.Errorf("%w: writing %s: %v", ErrUnavailable, f.path, err)
	}
	f.pass = pass
	f.cacheSum, f.cacheVals, f.cached = sha256.Sum256(ct), next, true
	return nil
}

// current returns the vault's values, decrypting only when the file differs
// from the one last decrypted. A missing file is ErrNotFound with no values.
// The caller holds f.mu.
func (f *FileStore) current() (map[string][]byte, error) {
	data, err := os.ReadFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		f.cached, f.cacheVals = false, nil
		return map[string][]byte{}, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("%w: reading %s: %v", ErrUnavailable, f.path, err)
	}
	sum := sha256.Sum256(data)
	if f.cached && sum == f.cacheSum {
		return f.cacheVals, nil
	}
	pass, err := f.getPassphrase()
	if err != nil {
		return nil, err
	}
	f.decrypts++
	vals, err := decryptVault(f.path, data, pass)
	if err != nil {
		if errors.Is(err, ErrLocked) {
			f.pass = "" // ask again next time
		}
		return nil, err
	}
	f.pass = pass
	f.cacheSum, f.cacheVals, f.cached = sum, vals, true
	return vals, nil
}

func (f *FileStore) getPassphrase() (string, error) {
	if f.pass != "" {
		return f.pass, nil
	}
	if f.passphrase == nil {
		return "", fmt.Errorf("%w: the file vault needs a passphrase (set AUTHDECK_PASSPHRASE)", ErrMissingInput)
	}
	p, err := f.passphrase()
	if err != nil {
		return "", err
	}
	if p == "" {
		return "", fmt.Errorf("%w: the file vault needs a non-empty passphrase", ErrMissingInput)
	}
	// Kept until it fails to decrypt the vault (current clears it then).
	f.pass = p
	return p, nil
}

func (f *FileStore) fail(op, key string, err error) error {
	e := &StoreError{Op: op, Backend: BackendFile, Key: key, Err: err}
	switch {
	case errors.Is(err, ErrLocked):
		e.Hint = "check AUTHDECK_PASSPHRASE or the passphrase you typed"
	case errors.Is(err, ErrCorrupt):
		e.Hint = "the file was left untouched; restore " + f.path + " from a backup or move it away to start a new vault"
	}
	return e
}

// encryptVault encrypts vals to an age scrypt recipient.
func encryptVault(vals map[string][]byte, pass string, workFactor int) ([]byte, error) {
	plain, err := json.Marshal(fileDoc{Format: fileFormat, Version: fileVersion, Values: vals})
	if err != nil {
		return nil, fmt.Errorf("encoding the file vault: %w", err)
	}
	r, err := age.NewScryptRecipient(pass)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMissingInput, err)
	}
	r.SetWorkFactor(workFactor)
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, r)
	if err != nil {
		return nil, fmt.Errorf("encrypting the file vault: %w", err)
	}
	if _, err := w.Write(append(plain, '\n')); err != nil {
		return nil, fmt.Errorf("encrypting the file vault: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("encrypting the file vault: %w", err)
	}
	return buf.Bytes(), nil
}

// decryptVault decrypts and parses a vault file. A wrong passphrase wraps
// ErrLocked; anything unreadable wraps ErrCorrupt and says where.
func decryptVault(path string, data []byte, pass string) (map[string][]byte, error) {
	id, err := age.NewScryptIdentity(pass)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMissingInput, err)
	}
	id.SetMaxWorkFactor(maxScryptWorkFactor)
	r, err := age.Decrypt(bytes.NewReader(data), id)
	if err != nil {
		var nm *age.NoIdentityMatchError
		if errors.As(err, &nm) {
			if !slices.Contains(nm.StanzaTypes, "scrypt") {
				return nil, fmt.Errorf("%w: %s is not encrypted with a passphrase", ErrCorrupt, path)
			}
			return nil, fmt.Errorf("%w: wrong passphrase for %s", ErrLocked, path)
		}
		return nil, fmt.Errorf("%w: %s is not a readable age file, corrupt or truncated (%v)", ErrCorrupt, path, err)
	}
	plain, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("%w: %s fails decryption (truncated or altered): %v", ErrCorrupt, path, err)
	}
	return parseVaultDoc(path, plain)
}

// parseVaultDoc parses the decrypted vault document.
func parseVaultDoc(path string, plain []byte) (map[string][]byte, error) {
	var doc fileDoc
	dec := json.NewDecoder(bytes.NewReader(plain))
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%w: %s decrypts to an unreadable document: %s", ErrCorrupt, path, describeJSONError(plain, err))
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: %s: unexpected data after the vault document", ErrCorrupt, path)
	}
	if doc.Format != fileFormat {
		return nil, fmt.Errorf("%w: %s is not an authdeck vault (format %q)", ErrCorrupt, path, doc.Format)
	}
	if doc.Version < 1 || doc.Version > fileVersion {
		return nil, fmt.Errorf("%w: %s has vault version %d; this authdeck reads version %d", ErrCorrupt, path, doc.Version, fileVersion)
	}
	if doc.Values == nil {
		doc.Values = map[string][]byte{}
	}
	for k, v := range doc.Values {
		if v == nil {
			doc.Values[k] = []byte{}
		}
	}
	return doc.Values, nil
}
