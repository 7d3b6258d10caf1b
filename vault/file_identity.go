package vault

// The file vault's identity: the age X25519 identity the vault file is
// encrypted to, kept beside it in an identity file wrapped with the
// passphrase, and the passphrase handling around it.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"filippo.io/age"
)

// identity returns the vault's identity, unwrapping the identity file with
// the passphrase when it has not been (or the file changed since). The
// caller holds f.mu.
func (f *FileStore) identity() (*age.X25519Identity, error) {
	data, err := os.ReadFile(f.idPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s is encrypted to an identity, but %s is missing; restore it from a backup", ErrCorrupt, f.path, f.idPath)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: reading %s: %v", ErrUnavailable, f.idPath, err)
	}
	sum := sha256.Sum256(data)
	if f.id != nil && sum == f.idSum {
		return f.id, nil
	}
	if id := f.askAgent(sum); id != nil {
		f.id, f.idSum = id, sum
		return id, nil
	}
	pass, err := f.getPassphrase()
	if err != nil {
		return nil, err
	}
	f.kdfs++
	id, err := unwrapIdentity(f.idPath, data, pass)
	releaseKDFMemory(scryptWorkFactor(data))
	if err != nil {
		if errors.Is(err, ErrLocked) {
			f.pass = ""
		}
		return nil, err
	}
	f.id, f.idSum = id, sum
	return id, nil
}

// ensureIdentity returns the identity to encrypt the vault to: the existing
// one, or a new one wrapped with the passphrase and written (atomically)
// before any vault is encrypted to it. The caller holds f.mu and the lock.
func (f *FileStore) ensureIdentity() (*age.X25519Identity, error) {
	if f.id != nil && f.cached && !f.legacy {
		// The vault on disk, just read under the lock, opened with it.
		return f.id, nil
	}
	if _, err := os.Stat(f.idPath); err == nil {
		id, err := f.identity()
		if err != nil && errors.Is(err, ErrLocked) && f.cached && f.legacy {
			// The vault opened (with the passphrase, in the earlier format)
			// but the identity file beside it does not: it was not written
			// for this vault, and converting would lose the way in.
			return nil, fmt.Errorf("%w: %s opens with the passphrase but %s does not; move %s away to let authdeck write a new one",
				ErrCorrupt, f.path, f.idPath, f.idPath)
		}
		return id, err
	}
	pass, err := f.getPassphrase()
	if err != nil {
		return nil, err
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, fmt.Errorf("generating the vault identity: %w", err)
	}
	f.kdfs++
	wrapped, err := wrapIdentity(id, pass, f.workFactor)
	releaseKDFMemory(f.workFactor)
	if err != nil {
		return nil, err
	}
	if err := WriteFileAtomic(f.idPath, wrapped); err != nil {
		return nil, fmt.Errorf("%w: writing %s: %v", ErrUnavailable, f.idPath, err)
	}
	f.id, f.idSum = id, sha256.Sum256(wrapped)
	return id, nil
}

// ChangePassphrase re-wraps the vault's identity with newPass, after
// checking the current passphrase; the vault file itself is not
// rewritten. A vault in the earlier format is converted first (still under
// the current passphrase), so a crash at any point leaves a vault that opens
// with one of the two. A wrong current passphrase wraps ErrLocked and
// changes nothing.
func (f *FileStore) ChangePassphrase(ctx context.Context, newPass string) error {
	if err := ctx.Err(); err != nil {
		return f.fail("passwd", "", ctxTimeout(err))
	}
	if newPass == "" {
		return f.fail("passwd", "", fmt.Errorf("%w: the new passphrase is empty", ErrMissingInput))
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.exists() {
		return f.fail("passwd", "", fmt.Errorf("%w: there is no file vault in %s yet", ErrNotFound, filepath.Dir(f.path)))
	}
	// The current passphrase is always asked for and checked: holding the
	// unwrapped identity is not proof that whoever runs this knows it.
	f.pass, f.id, f.cached = "", nil, false
	if _, err := f.getPassphrase(); err != nil {
		return f.fail("passwd", "", err)
	}
	err := f.locked(ctx, func() error {
		if _, err := f.current(); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		id, err := f.ensureIdentity()
		if err != nil {
			return err
		}
		if f.cached && f.legacy {
			// Convert the earlier format first, under the current passphrase.
			ct, err := encryptVault(f.path, f.cacheVals.all(), id.Recipient(), f.docLimit)
			if err != nil {
				return err
			}
			if err := WriteFileAtomic(f.path, ct); err != nil {
				return fmt.Errorf("%w: writing %s: %v", ErrUnavailable, f.path, err)
			}
			f.cacheSum, f.legacy = sha256.Sum256(ct), false
		}
		f.kdfs++
		wrapped, err := wrapIdentity(id, newPass, f.workFactor)
		releaseKDFMemory(f.workFactor)
		if err != nil {
			return err
		}
		if err := WriteFileAtomic(f.idPath, wrapped); err != nil {
			return fmt.Errorf("%w: writing %s: %v", ErrUnavailable, f.idPath, err)
		}
		f.pass, f.idSum = newPass, sha256.Sum256(wrapped)
		return nil
	})
	if err != nil {
		return f.fail("passwd", "", err)
	}
	return nil
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
	// Kept until it fails to open the vault (current clears it then).
	f.pass = p
	return p, nil
}

// releaseKDFMemory makes the scrypt working memory (256 MiB at age's work
// factor) free at once, so a second derivation in the same process (a
// conversion, a passphrase change) reuses it instead of doubling the peak;
// the runtime hands it back to the system in the background. A collection
// costs about a millisecond with authdeck's small heap.
func releaseKDFMemory(workFactor int) {
	if workFactor >= 14 { // 16 MiB and more
		runtime.GC()
	}
}

// scryptWorkFactor returns the work factor an age file's scrypt stanza asks
// for (0 when it has none or it does not parse: age then refuses the file).
func scryptWorkFactor(data []byte) int {
	hdr, err := age.ExtractHeader(bytes.NewReader(data))
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(hdr)) {
		if rest, ok := strings.CutPrefix(line, "-> scrypt "); ok {
			f := strings.Fields(rest)
			if len(f) == 2 {
				n, _ := strconv.Atoi(f[1])
				return n
			}
		}
	}
	return 0
}

// wrapIdentity returns id as age's encrypted identity file: the text that
// age-keygen writes, encrypted to the passphrase (scrypt, 2^workFactor).
func wrapIdentity(id *age.X25519Identity, pass string, workFactor int) ([]byte, error) {
	r, err := age.NewScryptRecipient(pass)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMissingInput, err)
	}
	r.SetWorkFactor(workFactor)
	text := fmt.Sprintf("# created: %s\n# public key: %s\n%s\n", time.Now().UTC().Format(time.RFC3339), id.Recipient(), id)
	ct, err := ageEncrypt([]byte(text), r)
	if err != nil {
		return nil, fmt.Errorf("wrapping the vault identity: %w", err)
	}
	return ct, nil
}

// unwrapIdentity decrypts an encrypted identity file with the passphrase. A
// wrong passphrase wraps ErrLocked; anything else unreadable wraps ErrCorrupt.
func unwrapIdentity(path string, data []byte, pass string) (*age.X25519Identity, error) {
	plain, err := decryptWithPassphrase(path, data, pass, maxIdentityFile)
	if err != nil {
		return nil, err
	}
	ids, err := age.ParseIdentities(bytes.NewReader(plain))
	if err != nil {
		return nil, fmt.Errorf("%w: %s decrypts to no age identity: %v", ErrCorrupt, path, err)
	}
	if len(ids) != 1 {
		return nil, fmt.Errorf("%w: %s holds %d identities, want 1", ErrCorrupt, path, len(ids))
	}
	id, ok := ids[0].(*age.X25519Identity)
	if !ok {
		return nil, fmt.Errorf("%w: %s holds a %T, want an X25519 identity", ErrCorrupt, path, ids[0])
	}
	return id, nil
}

// decryptWithPassphrase decrypts an age file encrypted to a passphrase. A
// wrong passphrase wraps ErrLocked; anything unreadable wraps ErrCorrupt and
// says where.
func decryptWithPassphrase(path string, data []byte, pass string, limit int64) ([]byte, error) {
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
	plain, err := readDecrypted(r, len(data), limit)
	if err != nil {
		return nil, fmt.Errorf("%w: %s fails decryption (truncated or altered): %v", ErrCorrupt, path, err)
	}
	return plain, nil
}
