package browse

import (
	"slices"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/authdeck/authdeck/ui/components/list"
	"github.com/authdeck/authdeck/ui/styles"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/reqtree"
)

// Saved requests are listed as the tree 'authdeck request list' prints
// (reqtree.Of): the requests of a folder, then its sub-folders,
// indented. enter or space folds and unfolds the folder under the cursor,
// → unfolds it, ← folds it or, on a row inside a folder, moves to that
// folder. A folded folder's requests stay in the list, hidden, so the
// filter still finds them; when the filter is cleared on one, its folders
// open so the cursor stays on it.

// Folder markers.
const (
	folderOpen   = "▾ "
	folderClosed = "▸ "
)

// folderID is a folder's list ID: its path, apart from item IDs.
func folderID(path []string) string { return "folder:" + strings.Join(path, "\x00") }

// requestItems lists env's saved requests as a tree, the folders closed
// by the person hidden (and recorded in m.folders, by list ID).
func (m *Model) requestItems(reqs []vault.Request) []list.Item {
	m.folders = map[string]*reqtree.Folder{}
	return m.folderItems(reqtree.Of(reqs), 0, false, nil)
}

func (m *Model) folderItems(f *reqtree.Folder, depth int, hidden bool, out []list.Item) []list.Item {
	for _, r := range f.Requests {
		out = append(out, list.Item{Section: SectionRequests, ID: r.ID, Name: r.Name, Hint: r.Method, Depth: depth, Hidden: hidden})
	}
	for _, c := range f.Folders {
		id := folderID(c.Path)
		m.folders[id] = c
		closed := m.collapsed[id]
		marker := folderOpen
		if closed {
			marker = folderClosed
		}
		out = append(out, list.Item{
			Section: SectionRequests, ID: id, Name: marker + c.Name, Hint: strconv.Itoa(c.Count()),
			Depth: depth, Folder: true, Hidden: hidden,
		})
		out = m.folderItems(c, depth+1, hidden || closed, out)
	}
	return out
}

// parentFolder returns the list ID of the folder holding the selected row
// ("" at the top).
func (m *Model) parentFolder(sel selection) string {
	switch {
	case sel.folder != nil && len(sel.folder.Path) > 1:
		return folderID(sel.folder.Path[:len(sel.folder.Path)-1])
	case sel.request != nil && len(sel.request.Folder) > 0:
		return folderID(sel.request.Folder)
	}
	return ""
}

// fold closes (or opens) the folder id and keeps the cursor on it.
func (m *Model) fold(id string, closed bool) tea.Cmd {
	if m.collapsed == nil {
		m.collapsed = map[string]bool{}
	}
	if closed {
		m.collapsed[id] = true
	} else {
		delete(m.collapsed, id)
	}
	cmd := m.setCatalog()
	m.list.Select(id)
	m.syncSelection()
	return cmd
}

// treeKey handles the tree's keys when the list has the focus.
func (m *Model) treeKey(k tea.KeyPressMsg, km KeyMap) (tea.Cmd, bool) {
	if m.focus != focusList {
		return nil, false
	}
	sel, ok := m.resolve()
	if !ok {
		return nil, false
	}
	return m.foldKey(k, km, sel)
}

// resolveRequest resolves a row of the requests: a folder or a request.
func (m *Model) resolveRequest(id string) (selection, bool) {
	if f, ok := m.folders[id]; ok {
		return selection{folder: f}, true
	}
	cat := m.c.Catalog
	if i := slices.IndexFunc(cat.Requests, func(x vault.Request) bool { return x.ID == id }); i >= 0 {
		return selection{request: &cat.Requests[i]}, true
	}
	return selection{}, false
}

// foldKey handles enter, space, → and ← on the tree; false when the key
// does not apply to the selection.
func (m *Model) foldKey(k tea.KeyPressMsg, km KeyMap, sel selection) (tea.Cmd, bool) {
	switch {
	case sel.folder != nil && (key.Matches(k, km.Open) || key.Matches(k, km.Fold)):
		id := folderID(sel.folder.Path)
		return m.fold(id, !m.collapsed[id]), true
	case key.Matches(k, km.Expand):
		return m.fold(folderID(sel.folder.Path), false), true
	case key.Matches(k, km.Collapse) && sel.folder != nil && !m.collapsed[folderID(sel.folder.Path)]:
		return m.fold(folderID(sel.folder.Path), true), true
	case key.Matches(k, km.Collapse):
		m.list.Select(m.parentFolder(sel))
		m.syncSelection()
		return nil, true
	}
	return nil, false
}

// folderKeys offers the tree's keys for the selection and turns off those
// that do not apply to a folder row.
func (m *Model) folderKeys(k *KeyMap, sel selection) {
	inFolder := m.parentFolder(sel) != ""
	k.Fold.SetEnabled(sel.folder != nil)
	k.Expand.SetEnabled(sel.folder != nil && m.collapsed[folderID(sel.folder.Path)])
	k.Collapse.SetEnabled(inFolder || sel.folder != nil && !m.collapsed[folderID(sel.folder.Path)])
	if sel.folder == nil {
		return
	}
	for _, b := range []*key.Binding{&k.Reveal, &k.Copy, &k.Token, &k.Edit, &k.Delete} {
		b.SetEnabled(false)
	}
	if m.collapsed[folderID(sel.folder.Path)] {
		k.Open.SetHelp("enter", "unfold")
	} else {
		k.Open.SetHelp("enter", "fold")
	}
}

// showSelected opens the folders around the request id (the filter that
// found it inside a closed folder was cleared) and puts the cursor on it.
func (m *Model) showSelected(id string) tea.Cmd {
	if id == "" || m.c.Catalog == nil {
		return nil
	}
	if it, ok := m.list.Selected(); ok && it.ID == id {
		return nil
	}
	for _, r := range m.c.Catalog.RequestsIn(m.c.Env) {
		if r.ID != id {
			continue
		}
		for i := range r.Folder {
			delete(m.collapsed, folderID(r.Folder[:i+1]))
		}
		cmd := m.setCatalog()
		m.list.Select(id)
		m.syncSelection()
		return cmd
	}
	return nil
}

// openFoldersOf opens the folders around a request a change names, so the
// list can select it.
func (m *Model) openFoldersOf(cat *vault.Catalog, env, name string) {
	if cat == nil {
		return
	}
	if r, ok := cat.Request(env, name); ok {
		for i := range r.Folder {
			delete(m.collapsed, folderID(r.Folder[:i+1]))
		}
	}
}

// renderFolder shows a folder row's detail: its path and what it holds.
func renderFolder(w *detailWriter, s *styles.Styles, f *reqtree.Folder) {
	w.field("folder", vault.FolderPath(f.Path))
	w.field("requests", strconv.Itoa(f.Count()))
	if len(f.Folders) > 0 {
		w.field("sub-folders", strconv.Itoa(len(f.Folders)))
	}
	w.blank()
	w.line(s.Faint.Render("enter or space fold · → unfold · ← fold"))
}
