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
	"strings"
	"sync"
	"time"

	"filippo.io/age"
	gojson "github.com/goccy/go-json"
	"github.com/gofrs/flock"

	"github.com/authdeck/authdeck/vault/jsonpos"
)

// File vault names and defaults.
const (
	// FileVaultName is the encrypted vault's file name inside the home directory.
	FileVaultName = "vault.age"
	// FileIdentityName is the file, beside the vault, that holds the vault's
	// age X25519 identity encrypted with the passphrase (age's encrypted
	// identity file: `age -d -i identity.age vault.age` reads the vault).
	FileIdentityName = "identity.age"
	// DefaultScryptWorkFactor is age's own scrypt work factor (2^18), about a
	// second of work and 256 MiB of memory for each key derivation by design.
	DefaultScryptWorkFactor = 18
	// defaultFileLockTimeout bounds the wait for another process's vault lock.
	defaultFileLockTimeout = 10 * time.Second
	// maxScryptWorkFactor is the most work a vault file may ask of a decryption.
	maxScryptWorkFactor = 22
	// maxIdentityFile bounds what is read of a decrypted identity file.
	maxIdentityFile = 64 << 10
	// maxFileVaultDoc is the largest decrypted vault document the file vault
	// reads, and so the largest it writes: a write that would make the
	// document larger is refused before anything is written.
	maxFileVaultDoc = 64 << 20
	// fileFormat and fileVersion identify the decrypted document.
	fileFormat  = "authdeck-vault"
	fileVersion = 1
)

// FileOptions configure a file store.
type FileOptions struct {
	// Dir is the authdeck home directory; the vault is Dir/vault.age and its
	// identity Dir/identity.age.
	Dir string
	// Passphrase returns the vault passphrase; it is called only when the
	// identity has to be unwrapped or first created, and again after a wrong one.
	Passphrase func() (string, error)
	// WorkFactor is the scrypt work factor (log2) for wrapping a new identity;
	// zero means DefaultScryptWorkFactor. Tests lower it to run fast.
	WorkFactor int
	// LockTimeout bounds the wait for another process's lock; zero means
	// 10 s.
	LockTimeout time.Duration
	// Agent, when set, is asked for the unwrapped identity before the
	// passphrase is (authdeck unlock); nil means none.
	Agent KeyAgent
}

// FileStore is the Store kept in one age file encrypted to a random X25519
// identity, which is kept beside it wrapped with the passphrase (scrypt). A
// process derives the passphrase's key once, to unwrap the identity; reads
// and writes after that cost one X25519 decryption or encryption. Both files
// are standard age files, readable with the age tool.
//
// Writes take a cross-process lock, re-read the vault under it and replace it
// atomically; the decrypted content is cached until the file changes.
//
// A vault made by earlier versions, encrypted to the passphrase itself
// (scrypt recipient), is read as it is and converted on its next write: the
// identity file is written first, then the vault re-encrypted to it, so a
// crash in between leaves the old vault readable with the passphrase.
type FileStore struct {
	path        string
	idPath      string
	lock        *flock.Flock
	passphrase  func() (string, error)
	workFactor  int
	lockTimeout time.Duration
	agent       KeyAgent
	// docLimit is the largest decrypted vault document the store reads and
	// writes: maxFileVaultDoc (tests lower it to prove the limit cheaply).
	docLimit int

	mu   sync.Mutex // guards the fields below and serialises flock use
	pass string     // the passphrase, until it fails to open the vault
	// id is the unwrapped identity, and idSum the SHA-256 of the identity
	// file it came from (a changed file is unwrapped again).
	id    *age.X25519Identity
	idSum [32]byte
	// cacheSum is the SHA-256 of the ciphertext cacheVals was decrypted from.
	cacheSum  [32]byte
	cacheVals *vaultValues
	cached    bool
	// legacy says the cached vault is in the earlier format (encrypted to
	// the passphrase), to be converted on the next write.
	legacy bool
	// decrypts counts vault decryptions, writes vault file writes and kdfs
	// scrypt derivations, so tests can check the cache works, a batch is
	// one write and the passphrase costs one KDF.
	decrypts int
	writes   int
	kdfs     int
	// agentHits counts identities the agent handed over.
	agentHits int
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
		idPath:      filepath.Join(opts.Dir, FileIdentityName),
		lock:        flock.New(filepath.Join(opts.Dir, "vault.lock")),
		passphrase:  opts.Passphrase,
		workFactor:  opts.WorkFactor,
		lockTimeout: opts.LockTimeout,
		agent:       opts.Agent,
		docLimit:    maxFileVaultDoc,
	}
	if f.workFactor == 0 {
		f.workFactor = DefaultScryptWorkFactor
	}
	if f.workFactor < 1 || f.workFactor > maxScryptWorkFactor {
		return nil, fmt.Errorf("file vault: scrypt work factor %d is outside 1..%d", f.workFactor, maxScryptWorkFactor)
	}
	if f.lockTimeout <= 0 {
		f.lockTimeout = defaultFileLockTimeout
	}
	return f, nil
}

// Backend returns "file".
func (f *FileStore) Backend() string { return BackendFile }

// Path returns the vault file's path.
func (f *FileStore) Path() string { return f.path }

// IdentityPath returns the path of the passphrase-wrapped identity file.
func (f *FileStore) IdentityPath() string { return f.idPath }

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
	v, ok := vals.get(key)
	if !ok {
		return nil, f.fail("get", key, ErrNotFound)
	}
	return slices.Clone(v), nil
}

// Set stores value under key.
func (f *FileStore) Set(ctx context.Context, key string, value []byte) error {
	_, err := f.update(ctx, true, func(vals map[string][]byte) ([]Change, error) {
		prev, had := vals[key]
		vals[key] = cloneValue(value)
		return []Change{undoOf(key, prev, had)}, nil
	})
	if err != nil {
		return f.fail("set", key, err)
	}
	return nil
}

// Delete removes the value under key.
func (f *FileStore) Delete(ctx context.Context, key string) error {
	_, err := f.update(ctx, false, func(vals map[string][]byte) ([]Change, error) {
		prev, ok := vals[key]
		if !ok {
			return nil, ErrNotFound
		}
		delete(vals, key)
		return []Change{setChange(key, prev)}, nil
	})
	if err != nil {
		return f.fail("delete", key, err)
	}
	return nil
}

// Apply makes every change of the batch with one encryption and one atomic
// replacement of the vault file, so either all of them land or none does.
// It returns the changes that undo the batch.
func (f *FileStore) Apply(ctx context.Context, changes []Change) ([]Change, error) {
	if err := checkBatch(changes); err != nil {
		return nil, f.fail("apply", "", err)
	}
	sets := slices.ContainsFunc(changes, func(c Change) bool { return !c.Delete })
	undo, err := f.update(ctx, sets, func(vals map[string][]byte) ([]Change, error) {
		undo := make([]Change, 0, len(changes))
		for _, c := range changes {
			prev, had := vals[c.Key]
			if c.Delete {
				if !had {
					continue
				}
				delete(vals, c.Key)
			} else {
				vals[c.Key] = cloneValue(c.Value)
			}
			undo = append(undo, undoOf(c.Key, prev, had))
		}
		return undo, nil
	})
	if err != nil {
		return nil, f.fail("apply", batchKey(changes), err)
	}
	return undo, nil
}

// batchKey names a batch's key in an error: its only key, else none.
func batchKey(changes []Change) string {
	if len(changes) == 1 {
		return changes[0].Key
	}
	return ""
}

func cloneValue(v []byte) []byte {
	if v == nil {
		return []byte{}
	}
	return slices.Clone(v)
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
	if _, ok := vals.get(key); ok {
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
	return slices.Sorted(maps.Keys(vals.all())), nil
}

// locked runs fn holding the cross-process vault lock.
func (f *FileStore) locked(ctx context.Context, fn func() error) error {
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
	return fn()
}

// update locks the vault across processes, re-reads it, applies fn to a copy
// of its values and writes the result atomically (one encryption, one
// rename). fn returns the changes that undo what it did; when it did nothing
// the file is not rewritten. A vault that cannot be read is never overwritten.
// mayCreate says fn may store something, so a missing vault will be created.
func (f *FileStore) update(ctx context.Context, mayCreate bool, fn func(map[string][]byte) ([]Change, error)) ([]Change, error) {
	if err := ctx.Err(); err != nil {
		return nil, ctxTimeout(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	// Ask for the passphrase before taking the lock, so a prompt waiting
	// for the user does not hold other processes up.
	if f.id == nil && f.pass == "" && (mayCreate || f.exists()) && !f.identityFromAgent() {
		if _, err := f.getPassphrase(); err != nil {
			return nil, err
		}
	}
	var undo []Change
	err := f.locked(ctx, func() error {
		vals, err := f.current()
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		all := vals.all()
		next := make(map[string][]byte, len(all)+1)
		maps.Copy(next, all)
		undo, err = fn(next)
		if err != nil {
			return err
		}
		if len(undo) == 0 {
			return nil
		}
		plain, err := encodeVault(f.path, next, f.docLimit)
		if err != nil {
			return err
		}
		id, err := f.ensureIdentity()
		if err != nil {
			return err
		}
		ct, err := ageEncrypt(plain, id.Recipient())
		if err != nil {
			return fmt.Errorf("encrypting the file vault: %w", err)
		}
		f.writes++
		if err := WriteFileAtomic(f.path, ct); err != nil {
			return fmt.Errorf("%w: writing %s: %v", ErrUnavailable, f.path, err)
		}
		f.cacheSum, f.cacheVals, f.cached, f.legacy = sha256.Sum256(ct), valuesOf(next), true, false
		return nil
	})
	return undo, err
}

// exists reports whether the vault or its identity is on disk.
func (f *FileStore) exists() bool {
	for _, p := range []string{f.path, f.idPath} {
		if _, err := os.Stat(p); err == nil {
			return true
		}
	}
	return false
}

// current returns the vault's values, decrypting only when the file differs
// from the one last decrypted. A missing file is ErrNotFound with no values.
// The caller holds f.mu.
func (f *FileStore) current() (*vaultValues, error) {
	data, err := os.ReadFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		f.cached, f.cacheVals, f.legacy = false, nil, false
		return valuesOf(map[string][]byte{}), ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("%w: reading %s: %v", ErrUnavailable, f.path, err)
	}
	sum := sha256.Sum256(data)
	if f.cached && sum == f.cacheSum {
		return f.cacheVals, nil
	}
	var vals *vaultValues
	kind, err := stanzaKind(f.path, data)
	switch {
	case err != nil:
		return nil, err
	case kind == "scrypt":
		// A vault of the earlier format, encrypted to the passphrase.
		pass, err := f.getPassphrase()
		if err != nil {
			return nil, err
		}
		f.decrypts++
		f.kdfs++
		vals, err = decryptLegacyVault(f.path, data, pass, f.docLimit)
		releaseKDFMemory(scryptWorkFactor(data))
		if err != nil {
			if errors.Is(err, ErrLocked) {
				f.pass = "" // ask again next time
			}
			return nil, err
		}
	case kind == "X25519":
		// The identity already unwrapped is used as it is: a passphrase
		// changed by another process re-wraps the same identity. Only a
		// vault it does not open makes the identity file be read again.
		remembered := f.id != nil
		id := f.id
		if !remembered {
			if id, err = f.identity(); err != nil {
				return nil, err
			}
		}
		f.decrypts++
		vals, err = decryptVault(f.path, f.idPath, data, id, f.docLimit)
		var other *otherIdentityError
		if err != nil && remembered && errors.As(err, &other) {
			f.id = nil
			if id, err = f.identity(); err != nil {
				return nil, err
			}
			vals, err = decryptVault(f.path, f.idPath, data, id, f.docLimit)
		}
		if err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%w: %s is encrypted to a %q recipient, not to a passphrase or to the identity in %s", ErrCorrupt, f.path, kind, f.idPath)
	}
	f.cacheSum, f.cacheVals, f.cached, f.legacy = sum, vals, true, kind == "scrypt"
	return vals, nil
}

func (f *FileStore) fail(op, key string, err error) error {
	e := &StoreError{Op: op, Backend: BackendFile, Key: key, Err: err}
	switch {
	case errors.Is(err, ErrLocked):
		e.Hint = "check AUTHDECK_PASSPHRASE or the passphrase you typed"
	case errors.Is(err, ErrCorrupt):
		e.Hint = "the files were left untouched; restore " + f.path + " and " + f.idPath + " from a backup, or move them away to start a new vault"
	}
	return e
}

// stanzaKind returns the type of the first recipient stanza of an age file
// ("scrypt", "X25519", …) without decrypting anything.
func stanzaKind(path string, data []byte) (string, error) {
	hdr, err := age.ExtractHeader(bytes.NewReader(data))
	if err != nil {
		return "", fmt.Errorf("%w: %s is not a readable age file, corrupt or truncated (%v)", ErrCorrupt, path, err)
	}
	for line := range strings.Lines(string(hdr)) {
		if rest, ok := strings.CutPrefix(line, "-> "); ok {
			kind, _, _ := strings.Cut(strings.TrimSpace(rest), " ")
			return kind, nil
		}
	}
	return "", fmt.Errorf("%w: %s is not a readable age file: its header names no recipient", ErrCorrupt, path)
}

// ageEncrypt encrypts plain to r.
func ageEncrypt(plain []byte, r age.Recipient) ([]byte, error) {
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, r)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(plain); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// encodeVault encodes vals as the decrypted vault document. A document over
// limit (maxFileVaultDoc), which no later read would accept, is
// ErrTooLarge: the write is refused and the vault on disk stays as it was.
func encodeVault(path string, vals map[string][]byte, limit int) ([]byte, error) {
	plain, err := gojson.Marshal(fileDoc{Format: fileFormat, Version: fileVersion, Values: vals})
	if err != nil {
		return nil, fmt.Errorf("encoding the file vault: %w", err)
	}
	plain = append(plain, '\n')
	if len(plain) > limit {
		return nil, fmt.Errorf("%w: the change would make %s hold %.1f MiB, over the file vault's limit of %d MiB; nothing was written and the vault is as it was (store large files elsewhere, or remove values you no longer need)",
			ErrTooLarge, path, float64(len(plain))/(1<<20), limit>>20)
	}
	return plain, nil
}

// encryptVault encrypts vals, a document of at most limit bytes, to the
// vault's recipient.
func encryptVault(path string, vals map[string][]byte, r age.Recipient, limit int) ([]byte, error) {
	plain, err := encodeVault(path, vals, limit)
	if err != nil {
		return nil, err
	}
	ct, err := ageEncrypt(plain, r)
	if err != nil {
		return nil, fmt.Errorf("encrypting the file vault: %w", err)
	}
	return ct, nil
}

// decryptVault decrypts and parses a vault file encrypted to id, whose
// document may be at most limit bytes. A file encrypted to another identity
// wraps ErrCorrupt and names the identity file.
func decryptVault(path, idPath string, data []byte, id *age.X25519Identity, limit int) (*vaultValues, error) {
	r, err := age.Decrypt(bytes.NewReader(data), id)
	if err != nil {
		var nm *age.NoIdentityMatchError
		if errors.As(err, &nm) {
			return nil, &otherIdentityError{path: path, idPath: idPath}
		}
		return nil, fmt.Errorf("%w: %s is not a readable age file, corrupt or truncated (%v)", ErrCorrupt, path, err)
	}
	plain, err := readDecrypted(r, len(data), int64(limit)+1)
	if err != nil {
		return nil, fmt.Errorf("%w: %s fails decryption (truncated or altered): %v", ErrCorrupt, path, err)
	}
	return parseVaultDoc(path, plain, limit)
}

// readDecrypted reads what an age reader decrypts from a file of size
// bytes, up to limit, into one buffer: the plaintext is shorter than the
// file, so the buffer is sized once instead of grown by doubling.
func readDecrypted(r io.Reader, size int, limit int64) ([]byte, error) {
	buf := bytes.NewBuffer(make([]byte, 0, min(int64(size), limit)+bytes.MinRead))
	_, err := buf.ReadFrom(io.LimitReader(r, limit))
	return buf.Bytes(), err
}

// otherIdentityError says a vault file is encrypted to another identity
// than the one tried; it wraps ErrCorrupt.
type otherIdentityError struct{ path, idPath string }

func (e *otherIdentityError) Error() string {
	return fmt.Sprintf("%v: %s is not encrypted to the identity in %s", ErrCorrupt, e.path, e.idPath)
}

func (e *otherIdentityError) Unwrap() error { return ErrCorrupt }

// decryptLegacyVault decrypts and parses a vault file of the earlier format,
// encrypted to the passphrase, whose document may be at most limit bytes.
func decryptLegacyVault(path string, data []byte, pass string, limit int) (*vaultValues, error) {
	plain, err := decryptWithPassphrase(path, data, pass, int64(limit)+1)
	if err != nil {
		return nil, err
	}
	return parseVaultDoc(path, plain, limit)
}

// parseVaultDoc parses the decrypted vault document, of at most limit bytes.
func parseVaultDoc(path string, plain []byte, limit int) (*vaultValues, error) {
	if len(plain) > limit {
		return nil, fmt.Errorf("%w: %s decrypts to more than the file vault's limit of %d MiB", ErrCorrupt, path, limit>>20)
	}
	format, version, vals, ok := scanVaultDoc(plain)
	if !ok {
		doc, err := decodeVaultDoc(path, plain)
		if err != nil {
			return nil, err
		}
		if doc.Values == nil {
			doc.Values = map[string][]byte{}
		}
		for k, v := range doc.Values {
			if v == nil {
				doc.Values[k] = []byte{}
			}
		}
		format, version, vals = doc.Format, doc.Version, valuesOf(doc.Values)
	}
	if format != fileFormat {
		return nil, fmt.Errorf("%w: %s is not an authdeck vault (format %q)", ErrCorrupt, path, format)
	}
	if version < 1 || version > fileVersion {
		return nil, fmt.Errorf("%w: %s has vault version %d; this authdeck reads version %d", ErrCorrupt, path, version, fileVersion)
	}
	return vals, nil
}

// decodeVaultDoc decodes a vault document with a general JSON decoder: the
// documents scanVaultDoc does not read, and the errors that say where.
func decodeVaultDoc(path string, plain []byte) (fileDoc, error) {
	var doc fileDoc
	// goccy/go-json decodes the values about 3× faster than encoding/json;
	// a document it rejects is read again with encoding/json, whose error
	// says where.
	if gerr := gojson.Unmarshal(plain, &doc); gerr != nil {
		doc = fileDoc{}
		dec := json.NewDecoder(bytes.NewReader(plain))
		if err := dec.Decode(&doc); err != nil {
			return doc, fmt.Errorf("%w: %s decrypts to an unreadable document: %s", ErrCorrupt, path, jsonpos.Describe(plain, err))
		}
		if dec.More() {
			return doc, fmt.Errorf("%w: %s: unexpected data after the vault document", ErrCorrupt, path)
		}
		return doc, fmt.Errorf("%w: %s decrypts to an unreadable document: %v", ErrCorrupt, path, gerr)
	}
	return doc, nil
}
