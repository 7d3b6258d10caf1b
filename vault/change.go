package vault

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Change is one write of a batch: store Value under Key, or remove Key when
// Delete is set. Removing a key that holds nothing changes nothing.
type Change struct {
	Key    string
	Value  []byte
	Delete bool
}

// setChange returns the change that stores value under key.
func setChange(key string, value []byte) Change { return Change{Key: key, Value: value} }

// deleteChange returns the change that removes key.
func deleteChange(key string) Change { return Change{Key: key, Delete: true} }

// checkBatch rejects a batch that names one key twice: its outcome would
// depend on the order a backend applies it in.
func checkBatch(changes []Change) error {
	if len(changes) < 2 {
		return nil
	}
	keys := make([]string, len(changes))
	for i, c := range changes {
		keys[i] = c.Key
	}
	slices.Sort(keys)
	for i := 1; i < len(keys); i++ {
		if keys[i] == keys[i-1] {
			return fmt.Errorf("%w: the batch changes key %q twice", ErrInvalid, keys[i])
		}
	}
	return nil
}

// undoOf returns the change that puts key back as it was: its previous
// value, or no value at all.
func undoOf(key string, prev []byte, had bool) Change {
	if !had {
		return deleteChange(key)
	}
	return setChange(key, prev)
}

// ApplyEach is Apply for a Store with no batch of its own: it reads each
// key's previous value, makes the changes one at a time with Set and Delete,
// and when one fails puts back, newest first, what it had changed. Another
// process may see the batch half done while it runs, and a crash can leave it
// so; each value on its own is always whole.
func ApplyEach(ctx context.Context, s Store, changes []Change) ([]Change, error) {
	if err := checkBatch(changes); err != nil {
		return nil, &StoreError{Op: "apply", Backend: s.Backend(), Err: err}
	}
	undo := make([]Change, 0, len(changes))
	for _, c := range changes {
		prev, err := s.Get(ctx, c.Key)
		had := err == nil
		switch {
		case had, errors.Is(err, ErrNotFound):
		case errors.Is(err, ErrCorrupt):
			// A damaged value can still be replaced or removed (that is how
			// the user repairs it); there is nothing to put back.
		default:
			return nil, rollBack(ctx, s, undo, err)
		}
		if c.Delete {
			if err := s.Delete(ctx, c.Key); err != nil {
				if errors.Is(err, ErrNotFound) {
					continue
				}
				return nil, rollBack(ctx, s, undo, err)
			}
		} else if err := s.Set(ctx, c.Key, c.Value); err != nil {
			return nil, rollBack(ctx, s, undo, err)
		}
		undo = append(undo, undoOf(c.Key, prev, had))
	}
	return undo, nil
}

// undoTimeout bounds each store call that puts back a failed batch.
const undoTimeout = 3 * time.Second

// rollBack applies undo newest first and returns cause, with what could not
// be put back.
func rollBack(ctx context.Context, s Store, undo []Change, cause error) error {
	var errs []error
	for i := len(undo) - 1; i >= 0; i-- {
		c := undo[i]
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), undoTimeout)
		var err error
		if c.Delete {
			if err = s.Delete(uctx, c.Key); errors.Is(err, ErrNotFound) {
				err = nil
			}
		} else {
			err = s.Set(uctx, c.Key, c.Value)
		}
		cancel()
		if err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return &putBackError{cause: cause, failed: errors.Join(errs...)}
	}
	return cause
}
