package vault

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// EnsurePrivateDir creates dir with mode 0700, or tightens an existing one to 0700.
func EnsurePrivateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if fi.Mode().Perm() != 0o700 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("restricting %s to 0700: %w", dir, err)
		}
	}
	return nil
}

// WriteFileAtomic writes data to path with mode 0600: a temporary file in the
// same directory, fsync, rename over path, fsync the directory. A crash at any
// point leaves either the old file or the new one, never a partial file.
func WriteFileAtomic(path string, data []byte) error {
	tmp, err := WriteAside(path, data)
	if err != nil {
		return err
	}
	return putInPlace(tmp, path)
}

// WriteAside writes data to a new 0600 temporary file beside path and syncs
// it: the slow half of WriteFileAtomic, which changes nothing visible. The
// caller renames it over path, or removes it.
func WriteAside(path string, data []byte) (tmpName string, err error) {
	return WriteAsideNamed(path, "."+filepath.Base(path)+".tmp-*", data)
}

// WriteAsideNamed is WriteAside with the temporary file's name pattern (as
// os.CreateTemp takes it), for a caller that tells its own files aside
// from others' by name.
func WriteAsideNamed(path, pattern string, data []byte) (tmpName string, err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), pattern)
	if err != nil {
		return "", err
	}
	tmpName = tmp.Name()
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmpName)
		}
	}()
	if err = tmp.Chmod(0o600); err != nil {
		return "", err
	}
	if _, err = tmp.Write(data); err != nil {
		return "", err
	}
	if err = tmp.Sync(); err != nil {
		return "", err
	}
	if err = tmp.Close(); err != nil {
		return "", err
	}
	return tmpName, nil
}

// putInPlace renames a file written by WriteAside over path and syncs the
// directory; the file aside is removed when the rename fails.
func putInPlace(tmpName, path string) error {
	crashPoint("aside:" + filepath.Base(path))
	if err := os.Rename(tmpName, path); err != nil {
		_ = os.Remove(tmpName)
		return err
	}
	if d, derr := os.Open(filepath.Dir(path)); derr == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	crashPoint("replaced:" + filepath.Base(path))
	return nil
}

// NewID returns a random 16-hex-digit identifier.
func NewID() string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}

// sweepFiles removes the files of dir whose names start with prefix (files
// aside that an interrupted atomic write left) and returns how many.
func sweepFiles(dir, prefix string) (int, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range entries {
		if !e.Type().IsRegular() || !strings.HasPrefix(e.Name(), prefix) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return n, err
		}
		n++
	}
	return n, nil
}
