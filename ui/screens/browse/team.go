package browse

import (
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/workspace"
)

// In a team workspace each person keeps their own values (S-45): the
// screen asks which items of the active environment have none for this
// person yet (workspace.Missing, what 'authdeck doctor' lists), marks them
// "not set", and enter opens the form that sets the value. The check opens
// no shared value (it reads their headers), so it never brings up a key's
// passphrase dialog: that comes when a value is used. The check runs
// in a command after the catalog arrives, so the first frame still needs
// the catalog only; a personal workspace is never checked (every value there
// was set with its item).

// notSetBadge marks an item without a value of this person's.
const notSetBadge = "not set"

// teamValues is what the last check found for env.
type teamValues struct {
	seq  int
	env  string
	done bool
	// missing holds the unset items by unsetKey.
	missing map[string]workspace.Unset
	// members is the team; mine holds the fingerprints of this person's keys.
	members []workspace.Member
	mine    map[string]bool
}

// teamValuesMsg carries a check's result.
type teamValuesMsg struct {
	seq     int
	env     string
	missing []workspace.Unset
	members []workspace.Member
	mine    map[string]bool
	err     error
}

func unsetKey(kind, name string) string { return kind + "\x00" + name }

// teamWorkspace returns the team workspace v is over, or nil.
func teamWorkspace(v *vault.Vault) *workspace.Workspace {
	if v == nil {
		return nil
	}
	ws, _ := v.Catalogs().(*workspace.Workspace)
	return ws
}

// checkValues starts the check of the active environment's values.
func (m *Model) checkValues() tea.Cmd {
	ws := teamWorkspace(m.c.Vault)
	cat := m.c.Catalog
	m.team.seq++
	if ws == nil || cat == nil {
		m.team = teamValues{seq: m.team.seq}
		return nil
	}
	seq, env, v := m.team.seq, m.c.Env, m.c.Vault
	items, shared := 0, false
	for _, x := range cat.ClientsIn(env) {
		items++
		shared = shared || x.Shared
	}
	for _, x := range cat.SecretsIn(env) {
		items++
		shared = shared || x.Shared
	}
	// one store call an item: the bound grows with the environment
	timeout := m.c.StoreTimeout
	if timeout <= 0 {
		timeout = common.DefaultStoreTimeout
	}
	timeout += time.Duration(items/50) * timeout
	return func() tea.Msg {
		ctx, cancel := common.StoreContext(timeout)
		defer cancel()
		msg := teamValuesMsg{seq: seq, env: env}
		msg.missing, msg.err = workspace.MissingIn(ctx, v, cat, env)
		if msg.err != nil || !shared {
			return msg
		}
		msg.members, _ = ws.Members()
		if ids, err := ws.Identities(); err == nil {
			msg.mine = map[string]bool{}
			for _, id := range ids {
				if r, err := workspace.ParseRecipient(id.Recipient); err == nil {
					msg.mine[r.Fingerprint] = true
				}
			}
		}
		return msg
	}
}

// handleTeamValues takes a check's result, if it is still the latest.
func (m *Model) handleTeamValues(msg teamValuesMsg) tea.Cmd {
	if msg.seq != m.team.seq || msg.env != m.c.Env {
		return nil
	}
	if msg.err != nil {
		m.team = teamValues{seq: m.team.seq}
		return common.Status(common.StatusWarning, "Could not check which values you have set: "+common.Explain(msg.err).OneLine())
	}
	t := teamValues{seq: msg.seq, env: msg.env, done: true, missing: map[string]workspace.Unset{}, members: msg.members, mine: msg.mine}
	for _, u := range msg.missing {
		if u.Env == msg.env {
			t.missing[unsetKey(u.Kind, u.Name)] = u
		}
	}
	m.team = t
	return m.setCatalog()
}

// unset returns the item's entry when this person has no value for it.
func (m *Model) unset(kind, env, name string) (workspace.Unset, bool) {
	if !m.team.done || m.team.env != env {
		return workspace.Unset{}, false
	}
	u, ok := m.team.missing[unsetKey(kind, name)]
	return u, ok
}

// unsetOf returns the selection's entry when it has no value for this person.
func (m *Model) unsetOf(sel selection) (workspace.Unset, bool) {
	switch {
	case sel.client != nil:
		return m.unset("auth client", sel.client.Env, sel.client.Name)
	case sel.secret != nil:
		return m.unset("secret", sel.secret.Env, sel.secret.Name)
	case sel.variable != nil:
		return m.unset("variable", sel.env, sel.variable.Name)
	}
	return workspace.Unset{}, false
}

// setValue opens the form that sets this person's value of the selection.
func setValue(sel selection) tea.Cmd {
	var msg common.EditMsg
	switch {
	case sel.client != nil:
		msg = common.EditMsg{Kind: common.EditClient, Env: sel.client.Env, Name: sel.client.Name, Value: true}
	case sel.secret != nil:
		msg = common.EditMsg{Kind: common.EditSecret, Env: sel.secret.Env, Name: sel.secret.Name, Type: sel.secret.Type, Value: true}
	case sel.variable != nil && sel.variable.Secret:
		msg = common.EditMsg{Kind: common.EditVariable, Env: sel.env, Name: sel.variable.Name, Value: true}
	case sel.variable != nil:
		return editVariable(sel)
	default:
		return nil
	}
	return func() tea.Msg { return msg }
}

// withShared adds "shared" to the hint of an item whose value the team shares.
func withShared(hint string, shared bool) string {
	if !shared {
		return hint
	}
	if hint == "" {
		return "shared"
	}
	return hint + " · shared"
}

// renderUnset says that the selection has no value for this person and
// what enter does about it.
func (m *Model) renderUnset(w *detailWriter, kind string, u workspace.Unset) {
	s := w.s
	w.styled(kind, s.Warning.Render("not set for you"))
	switch {
	case u.Shared && u.Reason != "":
		w.line(s.Muted.Render("The team shares a value, but it does not open for you: " + oneLine(u.Reason)))
		w.line(s.Muted.Render("Set your own, or fix what is named."))
	case u.Shared:
		w.line(s.Muted.Render("The team shares a value, but it is not encrypted to your key: ask a teammate to add"))
		w.line(s.Muted.Render("your public key ('authdeck team add'), or set your own."))
	}
	w.line(s.Text.Render("enter sets your value (kept in your " + m.c.BackendLabel() + " vault only)"))
}

// renderSharing shows who a shared value is encrypted to: each member as
// 'authdeck team list' shows them (name, key type, fingerprint, "you"),
// names no longer in the team, and members it is not encrypted to yet.
func (m *Model) renderSharing(w *detailWriter, x vault.Meta) {
	if !x.Shared {
		return
	}
	s := w.s
	w.heading("shared with the team")
	w.line(s.Muted.Render("its value is encrypted in the workspace folder to these keys:"))
	byName := map[string]workspace.Member{}
	for _, mb := range m.team.members {
		byName[mb.Name] = mb
	}
	for _, name := range x.SharedWith {
		mb, ok := byName[name]
		switch {
		case ok:
			line := mb.Kind + "  " + mb.Fingerprint
			if m.team.mine[mb.Fingerprint] {
				line += "  (you)"
			}
			w.field(name, line)
		case m.team.done:
			w.styled(oneLine(name), s.Warning.Render("no longer in the team — rotate the value"))
		default:
			w.field(name, "…")
		}
	}
	if len(x.SharedWith) == 0 {
		w.line(s.Warning.Render("nobody yet"))
	}
	var behind []string
	for _, mb := range m.team.members {
		if !slices.Contains(x.SharedWith, mb.Name) {
			behind = append(behind, mb.Name)
		}
	}
	if len(behind) > 0 {
		w.styled("not yet to", s.Warning.Render(oneLine(strings.Join(behind, ", "))+" — 'authdeck team sync'"))
	}
}
