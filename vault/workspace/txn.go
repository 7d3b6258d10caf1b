package workspace

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/authdeck/authdeck/vault"
)

// A change of the folder writes several files (an item and its shared
// value, every shared value when the team changes, an environment's
// directory when it goes). So that a crash at any instant leaves the old or
// the new workspace, never a mixture, a change of more than one file is
// journaled: every new file is written aside and synced, then the journal
// listing the renames and removals is written (atomically), then they are
// made, then the journal goes. The next reader that finds a journal makes
// what it lists (each step can be made twice) before it reads.

// fileOp is one step of a change: a file to put in place, or to remove.
type fileOp struct {
	// Path is the file, relative to the folder ('/'), or absolute (the
	// personal state, outside the folder).
	Path string `json:"path"`
	// Tmp is the file written aside that becomes Path.
	Tmp string `json:"tmp,omitempty"`
	// Remove removes Path.
	Remove bool `json:"remove,omitempty"`

	data []byte
}

type journal struct {
	Ops []fileOp `json:"ops"`
}

func (w *Workspace) abs(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(w.root, filepath.FromSlash(p))
}

// apply makes a change: removals first (so a file renamed to another
// letter case on a case-insensitive file system is not removed after it was
// written), then the files written aside are renamed into place.
func (w *Workspace) apply(ops []fileOp) error {
	if len(ops) == 0 {
		return nil
	}
	sort.SliceStable(ops, func(i, j int) bool { return ops[i].Remove && !ops[j].Remove })
	var written []string
	for i := range ops {
		if ops[i].Remove {
			continue
		}
		tmp, err := w.writeAside(ops[i].Path, ops[i].data)
		if err != nil {
			for _, t := range written {
				_ = os.Remove(t)
			}
			return fmt.Errorf("writing %s: %w", ops[i].Path, err)
		}
		written = append(written, tmp)
		ops[i].Tmp = tmp
	}
	if len(ops) == 1 {
		// one rename or one removal is atomic by itself
		return w.rollForward(journal{Ops: ops}, false)
	}
	j, err := json.Marshal(journal{Ops: ops})
	if err != nil {
		return err
	}
	if err := vault.WriteFileAtomic(filepath.Join(w.root, journalFile), j); err != nil {
		for _, t := range written {
			_ = os.Remove(t)
		}
		return fmt.Errorf("writing the change's journal: %w", err)
	}
	vault.CrashPoint("folder-journaled")
	return w.rollForward(journal{Ops: ops}, true)
}

// rollForward makes the steps of j; each can be made again after a crash.
func (w *Workspace) rollForward(j journal, journaled bool) error {
	dirs := map[string]bool{}
	var removedDirs []string
	for _, op := range j.Ops {
		p := w.abs(op.Path)
		dirs[filepath.Dir(p)] = true
		if op.Remove {
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("removing %s: %w", op.Path, err)
			}
			removedDirs = append(removedDirs, filepath.Dir(p))
			continue
		}
		if err := os.Rename(op.Tmp, p); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				if _, serr := os.Stat(op.Tmp); errors.Is(serr, fs.ErrNotExist) {
					continue // made before a crash
				}
			}
			return fmt.Errorf("writing %s: %w", op.Path, err)
		}
		vault.CrashPoint("folder-renamed")
	}
	for d := range dirs {
		syncDir(d)
	}
	w.removeEmptyDirs(removedDirs)
	if journaled {
		if err := os.Remove(filepath.Join(w.root, journalFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("removing the change's journal: %w", err)
		}
		syncDir(w.root)
	}
	return nil
}

// removeEmptyDirs removes directories a change emptied (an environment
// removed, a request folder left empty), up to the folder's top.
func (w *Workspace) removeEmptyDirs(dirs []string) {
	sort.Sort(sort.Reverse(sort.StringSlice(dirs)))
	root := filepath.Clean(w.root)
	for _, d := range dirs {
		for d = filepath.Clean(d); strings.HasPrefix(d, root+string(filepath.Separator)); d = filepath.Dir(d) {
			if filepath.Dir(d) == root {
				break // keep environments/ and team/
			}
			if os.Remove(d) != nil {
				break
			}
		}
	}
}

// recover finishes a change a crash interrupted, and removes files written
// aside by one that never reached its journal.
func (w *Workspace) recover(scratch []string) error {
	data, err := os.ReadFile(filepath.Join(w.root, journalFile))
	if err == nil {
		var j journal
		if err := json.Unmarshal(data, &j); err != nil {
			return fmt.Errorf("%s/%s: the journal of an interrupted change does not read (%v); move it away to go on", w.root, journalFile, err)
		}
		if err := w.rollForward(j, true); err != nil {
			return fmt.Errorf("finishing an interrupted change: %w", err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	for _, s := range scratch {
		if b := filepath.Base(s); b == lockFile || b == journalFile {
			continue
		}
		_ = os.Remove(w.abs(s))
	}
	return nil
}

// writeAside writes data to a new 0600 file beside p (creating its
// directory 0700) and syncs it. A file of this person's state, which every
// checkout of the workspace shares, is written aside under a name with
// this folder's tag (stateAsidePrefix), so that recovery here removes only
// what a change of this folder left.
func (w *Workspace) writeAside(p string, data []byte) (tmpName string, err error) {
	path := w.abs(p)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", err
	}
	if !filepath.IsAbs(p) {
		return vault.WriteAside(path, data)
	}
	return vault.WriteAsideNamed(path, w.stateAsidePrefix(filepath.Base(path))+"*", data)
}

// stateAsidePrefix starts the names of files of this person's state
// (named base) that a change of this folder writes aside.
func (w *Workspace) stateAsidePrefix(base string) string {
	return "." + base + ".tmp-" + w.rootTag() + "-"
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
