package vault

import "slices"

// RequestFolder is a folder of saved requests: the requests filed directly
// in it and its sub-folders, each in catalog order (a folder comes where
// its first request does). The root folder has no name.
type RequestFolder struct {
	Name     string
	Path     []string
	Folders  []*RequestFolder
	Requests []Request
}

// RequestTree files reqs under their folders ('authdeck request list' and
// the TUI's list show this tree).
func RequestTree(reqs []Request) *RequestFolder {
	root := &RequestFolder{}
	for _, r := range reqs {
		n := root
		for _, f := range r.Folder {
			i := slices.IndexFunc(n.Folders, func(c *RequestFolder) bool { return c.Name == f })
			if i < 0 {
				path := append(slices.Clip(n.Path), f)
				n.Folders = append(n.Folders, &RequestFolder{Name: f, Path: path})
				i = len(n.Folders) - 1
			}
			n = n.Folders[i]
		}
		n.Requests = append(n.Requests, r)
	}
	return root
}

// Count returns how many requests the folder holds, its sub-folders' included.
func (f *RequestFolder) Count() int {
	n := len(f.Requests)
	for _, c := range f.Folders {
		n += c.Count()
	}
	return n
}
