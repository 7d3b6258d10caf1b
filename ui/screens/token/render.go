package token

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// labelW is the width of the label column.
const labelW = 15

// writer builds the pane line by line, cut to its width.
type writer struct {
	m *Model
	b strings.Builder
	w int
}

func (w *writer) line(s string) {
	w.b.WriteString(ansi.Truncate(s, w.w, "…"))
	w.b.WriteByte('\n')
}

// row writes "label  value"; a value too long for one line goes on over
// the next ones, so every value can be read in full.
func (w *writer) row(label, value string) {
	s := w.m.c.Styles
	for _, l := range wrapRow(s.DetailLabel.Render(fmt.Sprintf("%-*s", labelW, label)), value, w.w, nil) {
		w.line(l)
	}
}

func (w *writer) heading(s string) {
	w.b.WriteByte('\n')
	w.line(w.m.c.Styles.ListSection.Render(s))
}

// wrapRow lays value out after label in width cells, continuing under the
// value's column; style, when given, is applied to each piece.
func wrapRow(label, value string, width int, style func(...string) string) []string {
	lw := ansi.StringWidth(label)
	avail := max(8, width-lw)
	pieces := []string{value}
	if ansi.StringWidth(value) > avail {
		pieces = strings.Split(ansi.Hardwrap(value, avail, true), "\n")
	}
	out := make([]string, 0, len(pieces))
	for i, p := range pieces {
		if style != nil {
			p = style(p)
		}
		if i == 0 {
			out = append(out, label+p)
			continue
		}
		out = append(out, strings.Repeat(" ", lw)+p)
	}
	return out
}

// padCut makes s exactly w cells wide.
func padCut(s string, w int) string {
	s = ansi.Truncate(s, w, "…")
	if n := ansi.StringWidth(s); n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

// wrapWords breaks text into lines of at most width cells.
func wrapWords(text string, width int) []string {
	var out []string
	line := ""
	for _, word := range strings.Fields(text) {
		switch {
		case line == "":
			line = word
		case ansi.StringWidth(line)+1+ansi.StringWidth(word) > width:
			out = append(out, line)
			line = word
		default:
			line += " " + word
		}
	}
	if line != "" {
		out = append(out, line)
	}
	return out
}

func chunks(s string, n int) []string {
	var out []string
	for len(s) > n {
		out = append(out, s[:n])
		s = s[n:]
	}
	return append(out, s)
}

// printable drops control characters and escape sequences from text that
// came with a token and cuts it at max runes.
func printable(t string, max int) string {
	t = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return -1
		}
		return r
	}, t)
	if r := []rune(t); len(r) > max {
		return string(r[:max]) + "…"
	}
	return t
}

func claimText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
