package request

import (
	"fmt"
	"os"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/interchange"
)

// A curl command line pasted into the method or URL field (or typed there
// and entered) fills the composer: it is read by the curl importer, so its
// credentials go where `authdeck import curl` puts them — secrets and
// secret variables in the vault, referred to by name — and never stay in
// the request as text.

// curlPastedMsg carries a pasted curl command read into a request.
type curlPastedMsg struct {
	req   vault.Request
	notes []interchange.Note
	// more is how many further commands the text held.
	more int
	cat  *vault.Catalog
	err  error
}

// isCurlCommand reports text that is a curl command line ("$ curl" as
// documentation shows it included).
func isCurlCommand(text string) bool {
	t := strings.TrimSpace(text)
	t = strings.TrimSpace(strings.TrimPrefix(t, "$"))
	return strings.HasPrefix(t, "curl ") || strings.HasPrefix(t, "curl\t") || strings.HasPrefix(t, "curl\\")
}

// paste reads a curl command pasted into the method or URL field, and
// passes anything else to the focused field.
func (m *Model) paste(msg tea.PasteMsg) tea.Cmd {
	if m.takesCurl() && isCurlCommand(msg.Content) {
		return m.pasteCurl(msg.Content)
	}
	return m.updateField(msg)
}

// takesCurl says the focused field turns a curl command into a request.
func (m *Model) takesCurl() bool { return m.focus == fieldMethod || m.focus == fieldURL }

// pasteCurl reads text as curl command lines in a command: the
// credentials it holds are stored (all of them or, on any problem,
// nothing) and the first command's request comes back to fill the
// composer. Nothing else of the workspace changes; the request is saved
// only with w.
func (m *Model) pasteCurl(text string) tea.Cmd {
	v, cat, env, timeout := m.c.Vault, m.c.Catalog, m.env, m.c.StoreTimeout
	return func() tea.Msg {
		in := interchange.ImportInput{Format: interchange.FormatCurl, Path: "-", Data: []byte(text), Env: env}
		if wd, err := os.Getwd(); err == nil {
			// files a command reads (-F @file, -T, -d @file) are where it would run
			in.BaseDir = wd
		}
		ctx, cancel := common.StoreContext(timeout)
		defer cancel()
		plan, err := interchange.PlanImport(ctx, v, cat, in)
		if err != nil {
			return curlPastedMsg{err: err}
		}
		b := plan.Batch
		if len(b.Requests) == 0 {
			return curlPastedMsg{err: fmt.Errorf("the pasted text has no curl command with a URL")}
		}
		req, more := b.Requests[0], len(b.Requests)-1
		// Only the credentials (and the variables holding them) are
		// stored now; the requests are not.
		b.Requests = nil
		c := cat
		if !b.Empty() {
			if c, err = v.Apply(ctx, b); err != nil {
				return curlPastedMsg{err: err}
			}
		}
		return curlPastedMsg{req: req, notes: plan.Notes, more: more, cat: c}
	}
}

// curlPasted fills the composer from a pasted curl command, or says why
// it could not be read (nothing changed then).
func (m *Model) curlPasted(msg curlPastedMsg) tea.Cmd {
	if msg.err != nil {
		if ps := interchange.Problems(msg.err); len(ps) > 0 {
			return common.Status(common.StatusError, "Pasted curl not read, nothing changed: "+ps[0].String())
		}
		return common.Status(common.StatusError, "Pasted curl not read, nothing changed: "+common.Explain(msg.err).OneLine())
	}
	r := msg.req
	m.load(r)
	m.setFocus(fieldURL)
	status := "Pasted curl: " + r.Method + " " + r.URL
	if stored := storedNames(msg.notes); stored != "" {
		status += "; credentials to the vault as " + stored
	}
	if msg.more > 0 {
		status += fmt.Sprintf(" (%s more in the text not loaded)", common.Plural(msg.more, "command", "commands"))
	}
	cmds := []tea.Cmd{common.Status(common.StatusSuccess, status)}
	if msg.cat != nil && msg.cat != m.c.Catalog {
		cat := msg.cat
		cmds = append(cmds, func() tea.Msg { return common.CatalogMsg{Catalog: cat} })
	}
	return tea.Batch(cmds...)
}

// storedNames lists the items whose values went to the vault.
func storedNames(notes []interchange.Note) string {
	var names []string
	for _, n := range notes {
		if n.Kind == interchange.NoteStored && n.Item != "" {
			names = append(names, n.Item)
		}
	}
	return strings.Join(names, ", ")
}
