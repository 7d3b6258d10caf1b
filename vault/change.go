package vault

import (
	"fmt"
	"slices"
)

// Change is one write of a batch: store Value under Key, or remove Key when
// Delete is set. Removing a key that holds nothing changes nothing.
type Change struct {
	Key    string
	Value  []byte
	Delete bool
}

// SetChange returns the change that stores value under key.
func SetChange(key string, value []byte) Change { return Change{Key: key, Value: value} }

// DeleteChange returns the change that removes key.
func DeleteChange(key string) Change { return Change{Key: key, Delete: true} }

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
		return DeleteChange(key)
	}
	return SetChange(key, prev)
}
