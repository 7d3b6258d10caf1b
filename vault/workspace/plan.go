package workspace

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path"
	"sort"
	"syscall"

	"github.com/authdeck/authdeck/vault"
)

func isReadOnlyFS(err error) bool { return errors.Is(err, syscall.EROFS) }

// planner computes the file changes that take the folder from a snapshot
// to a catalog.
type planner struct {
	w    *Workspace
	s    *snapshot
	want map[string][]byte // path → new content
	keep map[string]bool   // paths kept as they are
	seen map[string]bool   // item keys still in the catalog
	// shared are the shared values to write (nil: remove), by item key.
	shared map[string][]byte
	names  []string // the team members' names, for SharedWith
}

// plan returns the file operations that write catalog c, with the shared
// values of shared, over the folder as read in s; ovData is this person's
// state as read. It updates the items of c that say how they are shared.
func (w *Workspace) plan(s *snapshot, ovData []byte, c *vault.Catalog, shared []vault.Change) ([]fileOp, error) {
	p := &planner{w: w, s: s, want: map[string][]byte{}, keep: map[string]bool{}, seen: map[string]bool{}, shared: map[string][]byte{}}
	for _, m := range s.members {
		p.names = append(p.names, m.Name)
	}
	sort.Strings(p.names)
	for _, ch := range shared {
		if ch.Delete {
			p.shared[ch.Key] = nil
		} else {
			if len(ch.Value) == 0 {
				return nil, fmt.Errorf("%w: an empty shared value", vault.ErrInvalid)
			}
			p.shared[ch.Key] = ch.Value
		}
	}
	envs := map[string]bool{}
	for _, e := range c.Environments {
		envs[e.Name] = true
		if err := p.item(envKey(e.ID), "environment", e.Name, envPath(e.Name), encodeEnv(e)); err != nil {
			return nil, err
		}
	}
	for i := range c.Clients {
		ac := &c.Clients[i]
		if !envs[ac.Env] {
			return nil, &vault.NotFoundError{Kind: "environment", Name: ac.Env}
		}
		if err := p.sharedItem(clientKey(ac.ID), "auth client", ac.Name, &ac.Meta, clientPath(ac.Env, ac.Name), func() []byte { return encodeClient(*ac) }); err != nil {
			return nil, err
		}
	}
	ov := &overlay{ActiveEnv: c.ActiveEnv, Settings: c.Settings}
	for i := range c.Secrets {
		sec := &c.Secrets[i]
		if !envs[sec.Env] {
			return nil, &vault.NotFoundError{Kind: "environment", Name: sec.Env}
		}
		if vault.PersonalOnly(sec.Type) {
			if sec.Shared {
				return nil, &vault.ValidationError{Kind: "secret", Name: sec.Name, Field: "shared", Msg: "token sets are personal and cannot be shared with a team"}
			}
			ov.Secrets = append(ov.Secrets, *sec)
			continue
		}
		if rt := runtimeOf(*sec); !rt.zero() {
			if ov.Runtime == nil {
				ov.Runtime = map[string]runtimeFields{}
			}
			ov.Runtime[sec.ID] = rt
		}
		if err := p.sharedItem(secretKey(sec.ID), "secret", sec.Name, &sec.Meta, secretPath(sec.Env, sec.Name), func() []byte { return encodeSecret(*sec) }); err != nil {
			return nil, err
		}
	}
	for _, r := range c.Requests {
		if !envs[r.Env] {
			return nil, &vault.NotFoundError{Kind: "environment", Name: r.Env}
		}
		if err := p.item(requestKey(r.ID), "request", r.Name, requestPath(r.Env, r.Folder, r.Name), encodeRequest(r)); err != nil {
			return nil, err
		}
	}
	for k := range p.shared {
		if !p.seen[k] {
			return nil, fmt.Errorf("%w: a shared value for %s, which the workspace does not hold", vault.ErrNotConfigured, k)
		}
	}
	if err := p.checkFold(); err != nil {
		return nil, err
	}
	var ops []fileOp
	for rel, data := range p.want {
		ops = append(ops, fileOp{Path: rel, data: data})
	}
	// the files of items gone, and files left behind by moves
	for key, rel := range s.paths {
		for _, f := range []string{rel, s.companions[key]} {
			if f != "" && !p.keep[f] && p.want[f] == nil {
				ops = append(ops, fileOp{Path: f, Remove: true})
			}
		}
	}
	ov.Folder = w.root
	if newOv := encodeOverlay(ov); !sameBytes(newOv, ovData) {
		if err := vault.EnsurePrivateDir(w.stateDir); err != nil {
			return nil, err
		}
		ops = append(ops, fileOp{Path: w.overlayPath(), data: newOv})
	}
	sort.SliceStable(ops, func(i, j int) bool { return ops[i].Path < ops[j].Path })
	return ops, nil
}

// item plans one item's file: kept when its content is the same (whatever
// the file's layout, so a file a person formatted by hand is not rewritten
// for nothing), written at its path otherwise.
func (p *planner) item(key, kind, name, rel string, data []byte) error {
	if p.seen[key] {
		return fmt.Errorf("%w: two %ss have the id %s", vault.ErrInvalid, kind, key)
	}
	p.seen[key] = true
	if err := checkFileName(path.Base(rel)); err != nil {
		return &vault.ValidationError{Kind: kind, Name: name, Field: "name", Msg: err.Error()}
	}
	if old, ok := p.s.paths[key]; ok && old == rel && bytes.Equal(p.s.canon[key], data) {
		p.keep[rel] = true
		return nil
	}
	if _, taken := p.want[rel]; taken {
		return &vault.ExistsError{Kind: kind, Name: name}
	}
	p.want[rel] = data
	return nil
}

// sharedItem plans a client's or secret's file and its shared value's.
func (p *planner) sharedItem(key, kind, name string, m *vault.Meta, rel string, encode func() []byte) error {
	companion := companionPath(rel)
	oldCompanion := p.s.companions[key]
	value, change := p.shared[key]
	switch {
	case change && value != nil:
		ct, err := encryptShared(value, p.s.members)
		if err != nil {
			return fmt.Errorf("sharing %s %q: %w", kind, name, err)
		}
		m.Shared, m.SharedWith = true, append([]string(nil), p.names...)
		p.want[companion] = ct
	case change:
		m.Shared, m.SharedWith = false, nil
	case m.Shared:
		if oldCompanion == "" {
			return &vault.ValidationError{Kind: kind, Name: name, Field: "shared", Msg: "has no shared value in the workspace folder"}
		}
		if oldCompanion == companion {
			p.keep[companion] = true
			break
		}
		data, err := os.ReadFile(p.w.abs(oldCompanion))
		if err != nil {
			return fmt.Errorf("moving the shared value of %s %q: %w", kind, name, err)
		}
		p.want[companion] = data
	default:
		m.SharedWith = nil
	}
	return p.item(key, kind, name, rel, encode())
}

// checkFold refuses two files whose names differ only in letter case: on
// macOS and Windows they would be one file.
func (p *planner) checkFold() error {
	seen := map[string]string{}
	check := func(rel string) error {
		k := foldPath(rel)
		if prev, ok := seen[k]; ok && prev != rel {
			return fmt.Errorf("%w: %s and %s differ only in letter case and would be one file on macOS and Windows; rename one", vault.ErrExists, prev, rel)
		}
		seen[k] = rel
		return nil
	}
	for rel := range p.keep {
		if err := check(rel); err != nil {
			return err
		}
	}
	for rel := range p.want {
		if err := check(rel); err != nil {
			return err
		}
	}
	return nil
}
