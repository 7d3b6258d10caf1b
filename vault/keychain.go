package vault

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	dbus "github.com/godbus/dbus/v5"
	keyring "github.com/zalando/go-keyring"
)

// KeyringProvider is the OS keyring as the keychain backend uses it; tests
// inject fakes that block, fail or damage items.
type KeyringProvider interface {
	// Get returns the item stored for service and user.
	Get(service, user string) (string, error)
	// Set stores an item for service and user, replacing any previous one.
	Set(service, user, password string) error
	// Delete removes the item stored for service and user.
	Delete(service, user string) error
}

// systemKeyring forwards to go-keyring's platform provider.
type systemKeyring struct{}

func (systemKeyring) Get(service, user string) (string, error) { return keyring.Get(service, user) }
func (systemKeyring) Set(service, user, password string) error {
	return keyring.Set(service, user, password)
}
func (systemKeyring) Delete(service, user string) error { return keyring.Delete(service, user) }

// GoKeyring returns the OS keyring through go-keyring: macOS Keychain,
// Windows Credential Manager, or the Secret Service on Linux and the BSDs
// (each call connecting, opening a session and unlocking anew). It is the
// portable path; on Linux SystemKeyring talks to the Secret Service itself.
func GoKeyring() KeyringProvider { return systemKeyring{} }

// defaultKeychainTimeout bounds every keychain call.
const defaultKeychainTimeout = 3 * time.Second

// keychainService is the keychain service name authdeck stores items under.
const keychainService = "authdeck"

// KeychainOptions configure a keychain store; zero values mean the defaults.
type KeychainOptions struct {
	// Provider is the keyring to use; nil means SystemKeyring().
	Provider KeyringProvider
	// Service is the keychain service name; empty means "authdeck".
	Service string
	// Timeout bounds every keychain call; zero means 3 s.
	Timeout time.Duration
	// ChunkSize is the longest item written, in bytes; zero means
	// DefaultChunkSize, values below 128 bytes (minChunkSize) are raised to it.
	ChunkSize int
}

// KeychainStore is the Store kept in the OS keychain. Values too large for
// one keychain item are chunked with a checksum; every keychain call has a
// timeout, and a call the keychain never answers holds at most one goroutine.
type KeychainStore struct {
	provider  KeyringProvider
	service   string
	timeout   time.Duration
	chunkSize int
	// ops admits one Get/Set/Delete at a time so no reader sees a value
	// half-written by this process.
	ops chan struct{}
	// calls admits one keyring call at a time. A call the keyring never
	// answers keeps its slot, so later calls time out instead of piling up
	// goroutines behind it.
	calls chan struct{}
}

// NewKeychainStore returns a keychain store. It makes no keychain call.
func NewKeychainStore(opts KeychainOptions) *KeychainStore {
	k := &KeychainStore{
		provider:  opts.Provider,
		service:   opts.Service,
		timeout:   opts.Timeout,
		chunkSize: opts.ChunkSize,
		ops:       make(chan struct{}, 1),
		calls:     make(chan struct{}, 1),
	}
	if k.provider == nil {
		k.provider = SystemKeyring()
	}
	if k.service == "" {
		k.service = keychainService
	}
	if k.timeout <= 0 {
		k.timeout = defaultKeychainTimeout
	}
	if k.chunkSize == 0 {
		k.chunkSize = DefaultChunkSize
	}
	k.chunkSize = max(k.chunkSize, minChunkSize)
	return k
}

// Backend returns "keychain".
func (k *KeychainStore) Backend() string { return BackendKeychain }

// Warm connects to the keyring and opens its session in the background when
// the provider can (the Secret Service on Linux); it reads no item and never
// unlocks or prompts.
func (k *KeychainStore) Warm() {
	if w, ok := k.provider.(Warmer); ok {
		w.Warm()
	}
}

// Service returns the keychain service name items are stored under.
func (k *KeychainStore) Service() string { return k.service }

// Get returns the value stored under key. A missing or altered chunk is
// ErrCorrupt, never a wrong value.
func (k *KeychainStore) Get(ctx context.Context, key string) ([]byte, error) {
	if err := checkKey(key); err != nil {
		return nil, k.fail("get", key, err)
	}
	if err := k.begin(ctx); err != nil {
		return nil, k.fail("get", key, err)
	}
	defer k.end()
	v, err := k.get(ctx, key)
	if err != nil {
		return nil, k.fail("get", key, err)
	}
	return v, nil
}

// Set stores value under key. The header item is replaced last, so a write
// that fails midway leaves the previous value readable.
func (k *KeychainStore) Set(ctx context.Context, key string, value []byte) error {
	if err := checkKey(key); err != nil {
		return k.fail("set", key, err)
	}
	if len(value) > maxKeychainValue {
		return k.fail("set", key, fmt.Errorf("%w: %d bytes, the keychain backend holds at most %d", ErrTooLarge, len(value), maxKeychainValue))
	}
	if err := k.begin(ctx); err != nil {
		return k.fail("set", key, err)
	}
	defer k.end()
	if err := k.set(ctx, key, value); err != nil {
		return k.fail("set", key, err)
	}
	return nil
}

// Delete removes the value under key and every chunk of it.
func (k *KeychainStore) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return k.fail("delete", key, err)
	}
	if err := k.begin(ctx); err != nil {
		return k.fail("delete", key, err)
	}
	defer k.end()
	if err := k.delete(ctx, key); err != nil {
		return k.fail("delete", key, err)
	}
	return nil
}

// Items lists the keychain account names (header and chunks) currently kept
// for key, so tests and diagnostics can check nothing is left behind.
func (k *KeychainStore) Items(ctx context.Context, key string) ([]string, error) {
	if err := checkKey(key); err != nil {
		return nil, k.fail("list", key, err)
	}
	if err := k.begin(ctx); err != nil {
		return nil, k.fail("list", key, err)
	}
	defer k.end()
	var out []string
	user := keychainUser(key)
	if _, err := k.rawGet(ctx, user); err == nil {
		out = append(out, user)
	} else if !errors.Is(err, ErrNotFound) {
		return nil, k.fail("list", key, err)
	}
	for _, slot := range []byte{'a', 'b'} {
		for i := 0; i < maxChunks(k.chunkSize); i++ {
			_, err := k.rawGet(ctx, chunkUser(key, slot, i))
			if errors.Is(err, ErrNotFound) {
				break
			}
			if err != nil {
				return nil, k.fail("list", key, err)
			}
			out = append(out, chunkUser(key, slot, i))
		}
	}
	return out, nil
}

func (k *KeychainStore) get(ctx context.Context, key string) ([]byte, error) {
	// A header that changes while its chunks are read means another process
	// wrote the value meanwhile; read again rather than report corruption.
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		raw, err := k.rawGet(ctx, keychainUser(key))
		if err != nil {
			return nil, err
		}
		h, err := parseHeader(raw)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
		if h.inline {
			v, err := decodeInline(h)
			if err != nil {
				return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
			}
			return v, nil
		}
		v, err := k.readChunks(ctx, key, h)
		if err == nil {
			return v, nil
		}
		if !errors.Is(err, ErrCorrupt) {
			return nil, err
		}
		lastErr = err
		again, gerr := k.rawGet(ctx, keychainUser(key))
		if gerr != nil || again == raw {
			break
		}
	}
	return nil, lastErr
}

func (k *KeychainStore) readChunks(ctx context.Context, key string, h chunkHeader) ([]byte, error) {
	pieces := make([]string, h.count)
	for i := range h.count {
		raw, err := k.rawGet(ctx, chunkUser(key, h.slot, i))
		if errors.Is(err, ErrNotFound) {
			return nil, fmt.Errorf("%w: chunk %d of %d is missing", ErrCorrupt, i+1, h.count)
		}
		if err != nil {
			return nil, err
		}
		p, err := parseChunk(raw)
		if err != nil {
			return nil, fmt.Errorf("%w: chunk %d of %d: %v", ErrCorrupt, i+1, h.count, err)
		}
		if p.wid != h.wid || p.index != i {
			return nil, fmt.Errorf("%w: chunk %d of %d belongs to another write", ErrCorrupt, i+1, h.count)
		}
		pieces[i] = p.piece
	}
	v, err := joinChunks(h, pieces)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return v, nil
}

func (k *KeychainStore) set(ctx context.Context, key string, value []byte) error {
	raw, found, err := k.readHeader(ctx, key)
	if err != nil {
		return err
	}
	return k.setOver(ctx, key, value, raw, found)
}

// readHeader reads the item stored under key itself: an inline value or the
// header of a chunked one.
func (k *KeychainStore) readHeader(ctx context.Context, key string) (raw string, found bool, err error) {
	raw, err = k.rawGet(ctx, keychainUser(key))
	switch {
	case err == nil:
		return raw, true, nil
	case errors.Is(err, ErrNotFound):
		return "", false, nil
	}
	return "", false, err
}

// setOver stores value under key, whose item (if found) is raw.
func (k *KeychainStore) setOver(ctx context.Context, key string, value []byte, raw string, found bool) error {
	user := keychainUser(key)
	// The current header says which chunk slot is live, so the new chunks
	// go to the other one.
	var cur *chunkHeader
	curKnown := true
	if found {
		if h, perr := parseHeader(raw); perr == nil {
			cur = &h
		} else {
			curKnown = false // overwritten below; its chunks are swept afterwards
		}
	}

	item := encodeInline(value, k.chunkSize)
	var slot byte
	written := 0
	if item == "" {
		slot = 'a'
		if cur != nil && !cur.inline {
			slot = otherSlot(cur.slot)
		}
		// Remove what an earlier interrupted write left in this slot, so no
		// stale piece outlives the new value.
		if err := k.sweep(ctx, key, slot, 0); err != nil {
			return err
		}
		header, chunks := encodeChunks(value, k.chunkSize, slot)
		for i, c := range chunks {
			if err := k.rawSet(ctx, chunkUser(key, slot, i), c); err != nil {
				if !errors.Is(err, ErrTimeout) {
					_ = k.sweep(ctx, key, slot, i)
				}
				return err
			}
		}
		item = header
		written = len(chunks)
	}
	if err := k.rawSet(ctx, user, item); err != nil {
		// A header write that timed out may still land, so its chunks stay;
		// the next write to this key sweeps them if it did not.
		if slot != 0 && !errors.Is(err, ErrTimeout) {
			_ = k.sweep(ctx, key, slot, written)
		}
		return err
	}
	// The new value is in place; chunks of the old one are garbage now.
	// Failing to remove them leaves the value correct, and the next write or
	// delete of this key sweeps them again.
	switch {
	case cur != nil && !cur.inline:
		_ = k.sweep(ctx, key, cur.slot, cur.count)
	case !curKnown:
		for _, s := range []byte{'a', 'b'} {
			if s != slot {
				_ = k.sweep(ctx, key, s, 0)
			}
		}
	}
	return nil
}

func (k *KeychainStore) delete(ctx context.Context, key string) error {
	raw, found, err := k.readHeader(ctx, key)
	if err != nil {
		return err
	}
	return k.deleteOver(ctx, key, raw, found)
}

// deleteOver removes key, whose item (if found) is raw, and every chunk of
// it; a key that holds nothing is ErrNotFound once its slots are swept.
func (k *KeychainStore) deleteOver(ctx context.Context, key string, raw string, found bool) error {
	user := keychainUser(key)
	var live *chunkHeader
	if found {
		if h, perr := parseHeader(raw); perr == nil && !h.inline {
			live = &h
		}
		if err := k.rawDelete(ctx, user); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	// Remove chunks of both slots: the live one and any left by an
	// interrupted write, so no piece of a value stays in the keychain.
	for _, s := range []byte{'a', 'b'} {
		known := 0
		if live != nil && live.slot == s {
			known = live.count
		}
		if serr := k.sweep(ctx, key, s, known); serr != nil {
			return serr
		}
	}
	if !found {
		return ErrNotFound
	}
	return nil
}

// Apply makes every change of the batch in turn, each as one Set or Delete
// would, reading each key's item once: that read both finds the live chunk
// slot and keeps the previous value for the undo. When a change fails, the
// ones already made are put back, newest first. The keychain has no
// transactions: another process may see the batch half done while it runs,
// though every value on its own is always whole.
func (k *KeychainStore) Apply(ctx context.Context, changes []Change) ([]Change, error) {
	if err := checkBatch(changes); err != nil {
		return nil, k.fail("apply", "", err)
	}
	for _, c := range changes {
		if err := checkKey(c.Key); err != nil {
			return nil, k.fail("apply", c.Key, err)
		}
		if !c.Delete && len(c.Value) > maxKeychainValue {
			return nil, k.fail("apply", c.Key, fmt.Errorf("%w: %d bytes, the keychain backend holds at most %d", ErrTooLarge, len(c.Value), maxKeychainValue))
		}
	}
	if err := k.begin(ctx); err != nil {
		return nil, k.fail("apply", batchKey(changes), err)
	}
	defer k.end()
	undo := make([]Change, 0, len(changes))
	for _, c := range changes {
		u, changed, err := k.replace(ctx, c)
		if err != nil {
			return nil, k.fail("apply", c.Key, k.putBack(ctx, undo, err))
		}
		if changed {
			undo = append(undo, u)
		}
		crashPoint("keychain-replaced")
	}
	return undo, nil
}

// replace makes one change of a batch and returns the change that undoes it;
// changed is false when there was nothing to do (removing an absent key).
func (k *KeychainStore) replace(ctx context.Context, c Change) (undo Change, changed bool, err error) {
	raw, found, err := k.readHeader(ctx, c.Key)
	if err != nil {
		return Change{}, false, err
	}
	var prev []byte
	had := false
	if found {
		prev, err = k.valueOf(ctx, c.Key, raw)
		switch {
		case err == nil:
			had = true
		case errors.Is(err, ErrCorrupt):
			// A damaged value can still be replaced or removed (that is how
			// the user repairs it); there is nothing to put back.
		default:
			return Change{}, false, err
		}
	}
	if c.Delete {
		if !found {
			return Change{}, false, nil
		}
		if err := k.deleteOver(ctx, c.Key, raw, found); err != nil && !errors.Is(err, ErrNotFound) {
			return Change{}, false, err
		}
	} else if err := k.setOver(ctx, c.Key, c.Value, raw, found); err != nil {
		return Change{}, false, err
	}
	return undoOf(c.Key, prev, had), true, nil
}

// valueOf decodes the value whose item is raw, reading its chunks if any.
func (k *KeychainStore) valueOf(ctx context.Context, key, raw string) ([]byte, error) {
	h, err := parseHeader(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if h.inline {
		v, err := decodeInline(h)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
		return v, nil
	}
	return k.readChunks(ctx, key, h)
}

// putBack undoes, newest first, the changes a failed batch made, and returns
// cause with what could not be put back. It runs even when ctx has ended;
// each keychain call keeps its own timeout.
func (k *KeychainStore) putBack(ctx context.Context, undo []Change, cause error) error {
	ctx = context.WithoutCancel(ctx)
	var errs []error
	for i := len(undo) - 1; i >= 0; i-- {
		c := undo[i]
		raw, found, err := k.readHeader(ctx, c.Key)
		if err == nil {
			if c.Delete {
				if err = k.deleteOver(ctx, c.Key, raw, found); errors.Is(err, ErrNotFound) {
					err = nil
				}
			} else {
				err = k.setOver(ctx, c.Key, c.Value, raw, found)
			}
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return &putBackError{cause: cause, failed: errors.Join(errs...)}
	}
	return cause
}

// sweep deletes the chunks of slot: the first known ones (a header's count)
// and any that follow. Chunks are written upward from 0 and deleted
// downward, so whatever an interrupted write or sweep leaves behind starts
// at chunk 0 and the next sweep finds it.
func (k *KeychainStore) sweep(ctx context.Context, key string, slot byte, known int) error {
	end := known
	for ; end < maxChunks(k.chunkSize); end++ {
		_, err := k.rawGet(ctx, chunkUser(key, slot, end))
		if errors.Is(err, ErrNotFound) {
			break
		}
		if err != nil {
			return err
		}
	}
	for i := end - 1; i >= 0; i-- {
		if err := k.rawDelete(ctx, chunkUser(key, slot, i)); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	return nil
}

func (k *KeychainStore) rawGet(ctx context.Context, user string) (string, error) {
	var out string
	err := k.call(ctx, func() error {
		v, err := k.provider.Get(k.service, user)
		out = v
		return err
	})
	return out, err
}

func (k *KeychainStore) rawSet(ctx context.Context, user, item string) error {
	return k.call(ctx, func() error { return k.provider.Set(k.service, user, item) })
}

func (k *KeychainStore) rawDelete(ctx context.Context, user string) error {
	return k.call(ctx, func() error { return k.provider.Delete(k.service, user) })
}

// begin admits one operation at a time, waiting no longer than ctx allows.
func (k *KeychainStore) begin(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return ctxTimeout(err)
	}
	select {
	case k.ops <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctxTimeout(ctx.Err())
	}
}

func (k *KeychainStore) end() { <-k.ops }

// call runs fn (one keyring call) with the store's timeout. go-keyring
// calls cannot be cancelled, so fn runs in its own goroutine; when it does
// not answer in time the caller gets ErrTimeout and the goroutine keeps the
// single call slot until the keyring answers.
func (k *KeychainStore) call(ctx context.Context, fn func() error) error {
	if err := ctx.Err(); err != nil {
		return ctxTimeout(err)
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, k.timeout)
	defer cancel()
	select {
	case k.calls <- struct{}{}:
	case <-ctx.Done():
		if err := parent.Err(); err != nil {
			return ctxTimeout(err)
		}
		return fmt.Errorf("%w: an earlier keychain call is still unanswered after %v", ErrTimeout, k.timeout)
	}
	done := make(chan error, 1)
	go func() {
		defer func() { <-k.calls }()
		defer func() {
			// go-keyring type-asserts D-Bus replies; a malformed one must not
			// take the process down.
			if r := recover(); r != nil {
				done <- fmt.Errorf("%w: keychain call failed: %v", ErrUnavailable, r)
			}
		}()
		done <- fn()
	}()
	select {
	case err := <-done:
		return classifyKeyringError(err)
	case <-ctx.Done():
		if err := parent.Err(); err != nil {
			return ctxTimeout(err)
		}
		return fmt.Errorf("%w: the keychain did not answer within %v", ErrTimeout, k.timeout)
	}
}

func ctxTimeout(err error) error {
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("%w: cancelled", ErrTimeout)
	}
	return fmt.Errorf("%w: %v", ErrTimeout, err)
}

// Secret Service and D-Bus error names the keychain backend tells apart.
const (
	dbusSecretIsLocked     = "org.freedesktop.Secret.Error.IsLocked"
	dbusSecretNoSession    = "org.freedesktop.Secret.Error.NoSession"
	dbusSecretNoSuchObject = "org.freedesktop.Secret.Error.NoSuchObject"
	dbusNoReply            = "org.freedesktop.DBus.Error.NoReply"
	dbusTimeout            = "org.freedesktop.DBus.Error.Timeout"
	dbusTimedOut           = "org.freedesktop.DBus.Error.TimedOut"
	dbusAccessDenied       = "org.freedesktop.DBus.Error.AccessDenied"
)

// classifyKeyringError maps go-keyring and D-Bus errors onto the store's
// sentinel errors, keeping the original text (which never holds a value).
func classifyKeyringError(err error) error {
	if err == nil {
		return nil
	}
	for _, s := range []error{ErrNotFound, ErrLocked, ErrUnavailable, ErrTimeout, ErrTooLarge, ErrCorrupt} {
		if errors.Is(err, s) {
			return err
		}
	}
	switch {
	case errors.Is(err, keyring.ErrNotFound):
		return ErrNotFound
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return fmt.Errorf("%w: %v", ErrTooLarge, err)
	case errors.Is(err, keyring.ErrUnsupportedPlatform):
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	var de dbus.Error
	if errors.As(err, &de) {
		switch de.Name {
		case dbusSecretIsLocked, dbusAccessDenied:
			return fmt.Errorf("%w: %v (%s)", ErrLocked, err, de.Name)
		case dbusNoReply, dbusTimeout, dbusTimedOut:
			return fmt.Errorf("%w: %v (%s)", ErrTimeout, err, de.Name)
		case dbusSecretNoSuchObject, dbusSecretNoSession:
			return fmt.Errorf("%w: %v (%s)", ErrUnavailable, err, de.Name)
		}
		return fmt.Errorf("%w: %v (%s)", ErrUnavailable, err, de.Name)
	}
	// go-keyring reports a collection it could not unlock (the unlock prompt
	// was dismissed or could not be shown) with a plain error.
	if strings.Contains(err.Error(), "failed to unlock") {
		return fmt.Errorf("%w: %v", ErrLocked, err)
	}
	// Everything else is the bus itself: no session bus, connection refused,
	// dbus-launch missing.
	return fmt.Errorf("%w: %v", ErrUnavailable, err)
}

// fail wraps err into a *StoreError with a hint on what to do next.
func (k *KeychainStore) fail(op, key string, err error) error {
	e := &StoreError{Op: op, Backend: BackendKeychain, Key: key, Err: err}
	switch {
	case errors.Is(err, ErrLocked):
		e.Hint = "unlock the keychain (log in to the desktop session), or set AUTHDECK_VAULT=file to use the encrypted file vault"
	case errors.Is(err, ErrUnavailable):
		e.Hint = "no keychain answered (on Linux: is a Secret Service such as gnome-keyring running?); set AUTHDECK_VAULT=file to use the encrypted file vault"
	case errors.Is(err, ErrTimeout):
		e.Hint = "the keychain may be waiting for an unlock prompt; unlock it, or set AUTHDECK_VAULT=file to use the encrypted file vault"
	case errors.Is(err, ErrCorrupt):
		e.Hint = "the keychain item was altered or partly removed; store the value again"
	}
	return e
}
