package workspace

import (
	"errors"
	"io/fs"
	"os"
)

// sharedFile finds the file of the shared value of the item keyed key
// (secret/ID, client/ID), relative to the folder; false when the item has
// no shared value.
func (w *Workspace) sharedFile(key string) (string, bool, error) {
	s, err := w.snapshot()
	if err != nil {
		return "", false, err
	}
	if rel, ok := s.companions[key]; ok {
		return rel, true, nil
	}
	// The folder may have changed since (a pull): read it again — unless
	// the item's file is where it was with no shared file beside it, the
	// usual case of a value this person has not set, which would otherwise
	// read the whole folder once per such item.
	if p, known := s.paths[key]; known {
		_, itemErr := os.Lstat(w.abs(p))
		_, sharedErr := os.Lstat(w.abs(companionPath(p)))
		if itemErr == nil && errors.Is(sharedErr, fs.ErrNotExist) {
			return "", false, nil
		}
	}
	w.setLast(nil, nil)
	if s, err = w.snapshot(); err != nil {
		return "", false, err
	}
	rel, ok := s.companions[key]
	return rel, ok, nil
}

// sharedOpens reports whether the item keyed key has a shared value and
// whether it is encrypted to one of this person's keys, from the file's age
// header alone (probe.go): it never opens the value, so it never asks for a
// key's passphrase. why says why a shared value does not open; err is a
// folder that cannot be read.
func (w *Workspace) sharedOpens(key string) (has, opens bool, why, err error) {
	rel, has, err := w.sharedFile(key)
	if err != nil || !has {
		return false, false, nil, err
	}
	ids, err := w.Identities()
	switch {
	case err != nil:
		return true, false, err, nil
	case len(ids) == 0:
		return true, false, errNoKey, nil
	}
	opens, err = canOpen(w.abs(rel), rel, ids)
	switch {
	case err != nil:
		return true, false, err, nil
	case !opens:
		return true, false, ErrNotRecipient, nil
	}
	return true, true, nil, nil
}
