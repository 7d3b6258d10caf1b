package importer

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/vault/interchange"
	"github.com/authdeck/authdeck/vault/termsafe"
)

// report renders what the import will do (the CLI's --dry-run report), or
// why it cannot.
func (m *Model) report() string {
	wrap := lipgloss.NewStyle().Width(max(20, m.width-4))
	var lines []string
	switch {
	case interchange.Problems(m.err) != nil:
		lines = m.problemLines(interchange.Problems(m.err))
	case m.err != nil:
		p := common.Explain(m.err)
		s := m.c.Styles
		lines = []string{s.ErrorTitle.Render("✗ " + p.Reason), s.Text.Render(p.Detail)}
		if p.Next != "" {
			lines = append(lines, s.Muted.Render(p.Next))
		}
		lines = append(lines, "", s.Muted.Render("Nothing was changed. b chooses another file or format."))
	default:
		lines = m.planLines()
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = wrap.Render(l)
	}
	return strings.Join(out, "\n")
}

// formatLine names the format the file is read as.
func (m *Model) formatLine() string {
	how := "chosen"
	if m.format == "" {
		how = "detected"
	}
	return m.c.Styles.Muted.Render(fmt.Sprintf("Format: %s (%s)", m.detected.Label(), how))
}

func (m *Model) problemLines(ps []interchange.ImportProblem) []string {
	s := m.c.Styles
	lines := []string{
		s.ErrorTitle.Render(fmt.Sprintf("✗ Nothing can be imported: %s", common.Plural(len(ps), "problem", "problems"))),
		m.formatLine(), "",
	}
	for i, p := range ps {
		if i == interchange.ShownProblems {
			lines = append(lines, s.Muted.Render(fmt.Sprintf("and %d more (the first %d are shown)", len(ps)-i, i)))
			break
		}
		lines = append(lines, s.Error.Render("• ")+s.Text.Render(termsafe.Line(m.source+": "+p.String())))
	}
	return append(lines, "", s.Muted.Render("Nothing was changed. b chooses another file or format."))
}

func (m *Model) planLines() []string {
	s := m.c.Styles
	p := m.plan
	if p.Batch.Empty() {
		return []string{s.Warning.Render("Nothing to import: " + p.Summary(true)), m.formatLine(), "", s.Muted.Render("b chooses another file or format.")}
	}
	lines := []string{s.Success.Render(p.Summary(true)), m.formatLine(), ""}
	marks := map[interchange.NoteKind]struct {
		mark string
		st   lipgloss.Style
	}{
		interchange.NoteCreated: {"+", s.Success},
		interchange.NoteStored:  {"*", s.Success},
		interchange.NoteSkipped: {"-", s.Muted},
		interchange.NoteWarning: {"!", s.Warning},
	}
	for _, sec := range interchange.ReportSections(p.Notes, m.c.BackendLabel()) {
		mk := marks[sec.Kind]
		lines = append(lines, s.DetailTitle.Render(sec.Title))
		for _, l := range sec.Lines {
			lines = append(lines, "  "+mk.st.Render(mk.mark)+" "+s.Text.Render(termsafe.Line(strings.ReplaceAll(l, "\n", " "))))
		}
	}
	return append(lines, "", s.Muted.Render("enter imports all of it, or nothing on any error; b chooses another file or format."))
}
