package interchange

import (
	"fmt"
	"strings"
)

// This file holds what every importer and exporter reports: notes on what
// went where, and the problems that refused an import.

// NoteKind classifies a line of an import report.
type NoteKind string

// Import note kinds.
const (
	// NoteCreated names an item the import creates.
	NoteCreated NoteKind = "create"
	// NoteStored lists the fields of an item that go to the secret store.
	NoteStored NoteKind = "vault"
	// NoteSkipped names input that is not kept, and why.
	NoteSkipped NoteKind = "skip"
	// NoteWarning flags input that was accepted but looks wrong.
	NoteWarning NoteKind = "warning"
)

// Note is one line of an import report. It never contains a secret value.
type Note struct {
	Kind NoteKind `json:"kind"`
	// Item names the item ("secret \"x\""); empty for notes about the whole file.
	Item string `json:"item,omitempty"`
	// Line and Col locate the note in the file (1-based); zero when unknown.
	Line int    `json:"line,omitempty"`
	Col  int    `json:"column,omitempty"`
	Msg  string `json:"message"`
}

// String renders the note as "line 3, column 5: secret "x": message".
func (n Note) String() string {
	return joinWhere(n.Line, n.Col, n.Item, n.Msg)
}

// ImportProblem is one reason an import was refused.
type ImportProblem struct {
	// Item names the item ("auth client \"x\"", "item 2"); empty for the whole file.
	Item string
	// Line and Col locate the problem (1-based); zero when unknown.
	Line, Col int
	Msg       string
	// Err classifies the problem: ErrInvalid, ErrMissingInput, ErrNotConfigured or ErrExists.
	Err error
}

// String renders the problem as "line 3, column 5: secret "x": message".
func (p ImportProblem) String() string { return joinWhere(p.Line, p.Col, p.Item, p.Msg) }

func joinWhere(line, col int, item, msg string) string {
	var b strings.Builder
	if line > 0 {
		fmt.Fprintf(&b, "line %d, column %d: ", line, col)
	}
	if item != "" {
		b.WriteString(item + ": ")
	}
	b.WriteString(msg)
	return b.String()
}

// ImportError lists every problem found in an imported file; nothing was stored.
type ImportError struct {
	Problems []ImportProblem
}

// ShownProblems is how many problems an error message or a terminal lists;
// the rest are counted ("and 480 more"), so a file with half a million bad
// items does not print half a million lines.
const ShownProblems = 20

// Error lists the problems on one line (the first ShownProblems, then how
// many more there are).
func (e *ImportError) Error() string {
	if len(e.Problems) == 1 {
		return e.Problems[0].String()
	}
	n := min(len(e.Problems), ShownProblems)
	parts := make([]string, n, n+1)
	for i, p := range e.Problems[:n] {
		parts[i] = p.String()
	}
	if more := len(e.Problems) - n; more > 0 {
		parts = append(parts, fmt.Sprintf("and %d more", more))
	}
	return fmt.Sprintf("%d problems: %s", len(e.Problems), strings.Join(parts, "; "))
}

// Unwrap exposes each problem's class to errors.Is.
func (e *ImportError) Unwrap() []error {
	out := make([]error, 0, len(e.Problems))
	for _, p := range e.Problems {
		if p.Err != nil {
			out = append(out, p.Err)
		}
	}
	return out
}
