// Package reqtree files saved requests under their folders, the tree
// 'authdeck request list' prints and the TUI's list folds.
package reqtree

import (
	"slices"

	"github.com/authdeck/authdeck/vault"
)

// Folder is a folder of saved requests: the requests filed directly
// in it and its sub-folders, each in catalog order (a folder comes where
// its first request does). The root folder has no name.
type Folder struct {
	Name     string
	Path     []string
	Folders  []*Folder
	Requests []vault.Request
}

// Of files reqs under their folders.
func Of(reqs []vault.Request) *Folder {
	root := &Folder{}
	for _, r := range reqs {
		n := root
		for _, f := range r.Folder {
			i := slices.IndexFunc(n.Folders, func(c *Folder) bool { return c.Name == f })
			if i < 0 {
				path := append(slices.Clip(n.Path), f)
				n.Folders = append(n.Folders, &Folder{Name: f, Path: path})
				i = len(n.Folders) - 1
			}
			n = n.Folders[i]
		}
		n.Requests = append(n.Requests, r)
	}
	return root
}

// Count returns how many requests the folder holds, its sub-folders' included.
func (f *Folder) Count() int {
	n := len(f.Requests)
	for _, c := range f.Folders {
		n += c.Count()
	}
	return n
}
