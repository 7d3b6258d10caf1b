//go:build !linux

package workspace

import (
	"io/fs"
	"path/filepath"
)

// statFolder lists the folder's files and directories with their status,
// in lexical order, a directory before what it holds.
func statFolder(root string) ([]statEntry, error) {
	var out []statEntry
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return errNotFingerprinted
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		out = append(out, statEntry{
			rel: filepath.ToSlash(rel), size: info.Size(), mtime: info.ModTime().UnixNano(),
			ino: inode(info), mode: uint32(info.Mode()),
		})
		return nil
	})
	return out, err
}
