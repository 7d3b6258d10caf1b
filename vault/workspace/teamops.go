package workspace

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/authdeck/authdeck/vault"
)

// TeamReport says what a change of the team did to the shared values.
type TeamReport struct {
	// Reencrypted lists the shared values encrypted again to the new team
	// ("secret stripe (dev)").
	Reencrypted []string
	// Unreadable lists shared values this person cannot open, left
	// encrypted to the team they were encrypted to.
	Unreadable []string
}

// sharedEntry is a shared value and the item it belongs to.
type sharedEntry struct {
	key, kind, label, itemPath, companion string
	sharedWith                            []string
	encode                                func(sharedWith []string) []byte
}

func (s *snapshot) sharedEntries() []sharedEntry {
	var out []sharedEntry
	for _, x := range s.clients {
		if !x.Shared {
			continue
		}
		x := x
		k := clientKey(x.ID)
		out = append(out, sharedEntry{
			key: k, kind: "auth client", label: fmt.Sprintf("auth client %s (%s)", x.Name, x.Env), itemPath: s.paths[k], companion: s.companions[k], sharedWith: x.SharedWith,
			encode: func(w []string) []byte { x.SharedWith = w; return encodeClient(x) },
		})
	}
	for _, x := range s.secrets {
		if !x.Shared {
			continue
		}
		x := x
		k := secretKey(x.ID)
		out = append(out, sharedEntry{
			key: k, kind: "secret", label: fmt.Sprintf("secret %s (%s)", x.Name, x.Env), itemPath: s.paths[k], companion: s.companions[k], sharedWith: x.SharedWith,
			encode: func(w []string) []byte { x.SharedWith = w; return encodeSecret(x) },
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].label < out[j].label })
	return out
}

// AddMember adds m to the team under m.Name and encrypts every shared value
// again to the team with m in it. Values this person cannot open stay as
// they are (Unreadable): a teammate who can open them runs SyncTeam.
func (w *Workspace) AddMember(m Member) (TeamReport, error) {
	if err := vault.ValidateName("team member", m.Name); err != nil {
		return TeamReport{}, err
	}
	return w.changeTeam(false, func(members []Member) ([]Member, error) {
		for _, o := range members {
			if o.Name == m.Name {
				return nil, &vault.ExistsError{Kind: "team member", Name: m.Name}
			}
			if o.Fingerprint == m.Fingerprint {
				return nil, fmt.Errorf("%w: that key is already the team member %q's", vault.ErrExists, o.Name)
			}
		}
		return append(members, m), nil
	}, &m)
}

// RemoveMember removes the member named name (or whose key is name) and
// encrypts every shared value again to the team without them (S-45). Every
// shared value must open for this person, or nothing changes: a value left
// encrypted to the removed member would still open for them. Their old
// values stay in the repository's history: rotate the credentials.
func (w *Workspace) RemoveMember(name string) (TeamReport, error) {
	return w.changeTeam(true, func(members []Member) ([]Member, error) {
		i := slices.IndexFunc(members, func(o Member) bool {
			return o.Name == name || o.Recipient == strings.TrimSpace(name) || o.Fingerprint == name
		})
		if i < 0 {
			if m, err := ParseRecipient(name); err == nil {
				i = slices.IndexFunc(members, func(o Member) bool { return o.Fingerprint == m.Fingerprint })
			}
		}
		if i < 0 {
			return nil, &vault.NotFoundError{Kind: "team member", Name: name}
		}
		return slices.Delete(slices.Clone(members), i, i+1), nil
	}, nil)
}

// SyncTeam encrypts again to the whole team every shared value that is not
// encrypted to exactly its members (a member added by someone who could
// not open it).
func (w *Workspace) SyncTeam() (TeamReport, error) {
	return w.changeTeam(false, func(members []Member) ([]Member, error) { return members, nil }, nil)
}

// changeTeam changes the team with fn and encrypts the shared values again
// to the new team; strict (a removal) refuses to leave any value encrypted
// to the old team.
func (w *Workspace) changeTeam(strict bool, fn func([]Member) ([]Member, error), added *Member) (TeamReport, error) {
	var rep TeamReport
	w.mu.Lock()
	defer w.mu.Unlock()
	unlock, err := w.lockFolder(false)
	if err != nil {
		return rep, err
	}
	defer unlock()
	if err := w.recover(nil); err != nil {
		return rep, err
	}
	s, err := readSnapshot(w.root)
	if err != nil {
		return rep, w.placed(err)
	}
	members, err := fn(slices.Clone(s.members))
	if err != nil {
		return rep, err
	}
	names := make([]string, len(members))
	for i, m := range members {
		names[i] = m.Name
	}
	sort.Strings(names)
	entries := s.sharedEntries()
	if len(entries) > 0 && len(members) == 0 {
		return rep, fmt.Errorf("%w: the team would have no member left to open its %d shared values; add the new member first, or make the values personal ('authdeck secret unshare NAME')", vault.ErrInvalid, len(entries))
	}
	ids, idErr := w.Identities()
	var ops []fileOp
	var unreadable []string
	for _, e := range entries {
		if slices.Equal(e.sharedWith, names) && added == nil && !strict {
			continue // already encrypted to this team
		}
		data, err := os.ReadFile(w.abs(e.companion))
		if err != nil {
			return rep, fmt.Errorf("reading %s: %w", e.companion, err)
		}
		var plain []byte
		if idErr == nil {
			plain, err = decryptShared(data, ids)
		} else {
			err = idErr
		}
		if err != nil {
			if !errors.Is(err, ErrNotRecipient) && idErr == nil {
				return rep, fmt.Errorf("%s: %w", e.companion, err)
			}
			unreadable = append(unreadable, e.label)
			continue
		}
		ct, err := encryptShared(plain, members)
		clear(plain)
		if err != nil {
			return rep, err
		}
		ops = append(ops, fileOp{Path: e.companion, data: ct})
		if item := e.encode(names); !slices.Equal(item, s.canon[e.key]) {
			ops = append(ops, fileOp{Path: e.itemPath, data: item})
		}
		rep.Reencrypted = append(rep.Reencrypted, e.label)
	}
	if strict && len(unreadable) > 0 {
		why := "they are not encrypted to your key"
		if idErr != nil {
			why = idErr.Error()
		}
		return TeamReport{}, fmt.Errorf("%w: %d shared values do not open for you (%s): %s; nothing was changed — a teammate who can open them removes the member, or make them personal first", vault.ErrInvalid, len(unreadable), why, strings.Join(unreadable, ", "))
	}
	rep.Unreadable = unreadable
	// the team's files: one a member
	keepNames := map[string]bool{}
	for _, m := range members {
		keepNames[m.Name] = true
		if _, had := s.memberPaths[m.Name]; had {
			continue
		}
		p := memberPath(m.Name)
		if err := checkFileName(p); err != nil {
			return TeamReport{}, &vault.ValidationError{Kind: "team member", Name: m.Name, Field: "name", Msg: err.Error()}
		}
		ops = append(ops, fileOp{Path: p, data: encodeMember(m)})
	}
	for name, p := range s.memberPaths {
		if !keepNames[name] {
			ops = append(ops, fileOp{Path: p, Remove: true})
		}
	}
	if err := w.apply(ops); err != nil {
		return TeamReport{}, err
	}
	w.setLast(nil, nil)
	return rep, nil
}
