package vault

import (
	"errors"
	"fmt"
)

// Store errors. Every backend returns these (wrapped in a *StoreError) so
// callers can tell a missing value from a locked or unreachable store.
var (
	// ErrNotFound means the store holds no value under the key.
	ErrNotFound = errors.New("not found")
	// ErrLocked means the store exists but is locked (keychain locked, wrong passphrase).
	ErrLocked = errors.New("locked")
	// ErrUnavailable means the store cannot be reached (no Secret Service, no D-Bus).
	ErrUnavailable = errors.New("unavailable")
	// ErrTimeout means the store did not answer in time.
	ErrTimeout = errors.New("timed out")
	// ErrTooLarge means the value exceeds what the backend can hold.
	ErrTooLarge = errors.New("value too large")
	// ErrCorrupt means a stored value is torn, partial or fails its checksum.
	ErrCorrupt = errors.New("stored value is corrupt")
)

// Repository errors: what went wrong with an item, whatever the store.
var (
	// ErrNotConfigured means a named environment, client, secret or request does not exist.
	ErrNotConfigured = errors.New("not configured")
	// ErrExists means an item with the same name already exists.
	ErrExists = errors.New("already exists")
	// ErrInvalid means an item failed validation.
	ErrInvalid = errors.New("invalid")
	// ErrMissingInput means required input (a passphrase, a template field) was not given.
	ErrMissingInput = errors.New("missing input")
	// ErrCatalogCorrupt means the catalog file cannot be parsed; it is never overwritten.
	ErrCatalogCorrupt = errors.New("catalog is corrupt")
)

// StoreError describes a failed store operation without ever including a value.
type StoreError struct {
	Op      string // "get", "set", "delete"
	Backend string // "keychain", "file", "memory"
	Key     string
	Err     error
	// Hint tells the user what to do next, when there is something to say.
	Hint string
}

func (e *StoreError) Error() string {
	msg := fmt.Sprintf("%s vault: %s %q: %v", e.Backend, e.Op, e.Key, e.Err)
	if e.Hint != "" {
		msg += " (" + e.Hint + ")"
	}
	return msg
}

func (e *StoreError) Unwrap() error { return e.Err }

// ValidationError names the field that failed validation and why.
type ValidationError struct {
	Kind  string // "secret", "auth client", "environment", "request", "variable"
	Name  string
	Field string
	Msg   string
}

func (e *ValidationError) Error() string {
	where := e.Kind
	if e.Name != "" {
		where += fmt.Sprintf(" %q", e.Name)
	}
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", where, e.Field, e.Msg)
	}
	return fmt.Sprintf("%s: %s", where, e.Msg)
}

// Is makes errors.Is(err, ErrInvalid) true for validation errors.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// NotFoundError says which item of which kind is missing.
type NotFoundError struct {
	Kind string // "environment", "auth client", "secret", "request", "variable"
	Name string
	Env  string
}

func (e *NotFoundError) Error() string {
	if e.Env != "" && e.Kind != "environment" {
		return fmt.Sprintf("no %s %q in environment %q", e.Kind, e.Name, e.Env)
	}
	return fmt.Sprintf("no %s %q", e.Kind, e.Name)
}

// Is makes errors.Is(err, ErrNotConfigured) true.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotConfigured }

// ExistsError says which name is already taken.
type ExistsError struct {
	Kind string
	Name string
	Env  string
}

func (e *ExistsError) Error() string {
	if e.Env != "" && e.Kind != "environment" {
		return fmt.Sprintf("%s %q already exists in environment %q", e.Kind, e.Name, e.Env)
	}
	return fmt.Sprintf("%s %q already exists", e.Kind, e.Name)
}

// Is makes errors.Is(err, ErrExists) true.
func (e *ExistsError) Is(target error) bool { return target == ErrExists }

// IsStoreFailure reports whether err says the store could not be used: it
// is locked, unavailable or too slow, or a value it should hold is missing
// or damaged. A front end tells the user to fix the vault, not the input.
func IsStoreFailure(err error) bool {
	for _, s := range []error{ErrLocked, ErrUnavailable, ErrTimeout, ErrCorrupt, ErrNotFound} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}
