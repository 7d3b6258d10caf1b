package vault

import (
	"fmt"
	"sort"
	"strings"
)

// Template is a string with {{name}} placeholders (environment variables) or
// {{fields.name}} placeholders (session-auth input fields).
type Template struct {
	parts []templatePart
}

type templatePart struct {
	text string // literal text when name == ""
	name string // placeholder name, e.g. "baseUrl" or "fields.scope"
	pos  int    // byte offset of "{{" in the source
}

// templateError reports a malformed template with the byte offset of the problem.
type templateError struct {
	Pos int
	Msg string
}

func (e *templateError) Error() string {
	return fmt.Sprintf("template: at offset %d: %s", e.Pos, e.Msg)
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *templateError) Is(target error) bool { return target == ErrInvalid }

// ParseTemplate parses s. Unterminated or empty placeholders and names with
// characters other than letters, digits, '_', '-', '.', '$' and inner
// spaces ({{api key}}, as Postman allows) are errors; a dynamic variable's
// name ({{$random.integer(1, 9)}}, {{$datetime 'YYYY'}}) may hold any
// printable character but braces.
func ParseTemplate(s string) (Template, error) {
	var t Template
	i := 0
	for i < len(s) {
		j := strings.Index(s[i:], "{{")
		if j < 0 {
			t.parts = append(t.parts, templatePart{text: s[i:]})
			break
		}
		if j > 0 {
			t.parts = append(t.parts, templatePart{text: s[i : i+j]})
		}
		start := i + j
		end := strings.Index(s[start+2:], "}}")
		if end < 0 {
			return Template{}, &templateError{Pos: start, Msg: `"{{" is never closed with "}}"`}
		}
		name := strings.TrimSpace(s[start+2 : start+2+end])
		if name == "" {
			return Template{}, &templateError{Pos: start, Msg: "empty placeholder {{}}"}
		}
		invalid := func(r rune) bool { return !isNameRune(r) && r != ' ' }
		if strings.HasPrefix(name, "$") {
			// A dynamic variable's arguments: {{$datetime 'YYYY-MM-DD' -1 d}},
			// {{$random.integer(1, 10)}}, {{$processEnv %name}}.
			invalid = func(r rune) bool { return r == '{' || r == '}' || r < ' ' || r == 0x7f }
		}
		if k := strings.IndexFunc(name, invalid); k >= 0 {
			return Template{}, &templateError{Pos: start, Msg: fmt.Sprintf("placeholder {{%s}} has an invalid character %q", name, name[k:k+1])}
		}
		t.parts = append(t.parts, templatePart{name: name, pos: start})
		i = start + 2 + end + 2
	}
	return t, nil
}

func isNameRune(r rune) bool {
	return r == '_' || r == '-' || r == '.' || r == '$' ||
		(r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
}

// Names returns the distinct placeholder names in order of first use.
func (t Template) Names() []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range t.parts {
		if p.name != "" && !seen[p.name] {
			seen[p.name] = true
			out = append(out, p.name)
		}
	}
	return out
}

// FieldNames returns the names used as {{fields.NAME}}, without the prefix.
func (t Template) FieldNames() []string {
	var out []string
	for _, n := range t.Names() {
		if f, ok := strings.CutPrefix(n, "fields."); ok {
			out = append(out, f)
		}
	}
	return out
}

// EscapeText returns the template with every literal part passed through
// escape and every placeholder kept as {{name}}, so a value can be encoded
// for a URL or a form without breaking its placeholders.
func (t Template) EscapeText(escape func(string) string) string {
	var b strings.Builder
	for _, p := range t.parts {
		if p.name != "" {
			b.WriteString("{{" + p.name + "}}")
		} else {
			b.WriteString(escape(p.text))
		}
	}
	return b.String()
}

// MissingError lists placeholders that had no value.
type MissingError struct {
	Names []string
}

func (e *MissingError) Error() string {
	quoted := make([]string, len(e.Names))
	for i, n := range e.Names {
		quoted[i] = "{{" + n + "}}"
	}
	return "no value for " + strings.Join(quoted, ", ")
}

// Is makes errors.Is(err, ErrMissingInput) true.
func (e *MissingError) Is(target error) bool { return target == ErrMissingInput }

// Render substitutes placeholders using lookup. Placeholders lookup does not
// know make a *MissingError naming all of them; with keepUnknown they are
// left as they are instead.
func (t Template) Render(lookup func(name string) (string, bool), keepUnknown bool) (string, error) {
	var b strings.Builder
	var missing []string
	for _, p := range t.parts {
		if p.name == "" {
			b.WriteString(p.text)
			continue
		}
		v, ok := lookup(p.name)
		if !ok {
			if keepUnknown {
				b.WriteString("{{" + p.name + "}}")
				continue
			}
			missing = append(missing, p.name)
			continue
		}
		b.WriteString(v)
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		missing = dedupSorted(missing)
		return "", &MissingError{Names: missing}
	}
	return b.String(), nil
}

func dedupSorted(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// RenderFields fills {{fields.NAME}} placeholders from fields.
func RenderFields(s string, fields map[string]string) (string, error) {
	t, err := ParseTemplate(s)
	if err != nil {
		return "", err
	}
	return t.Render(func(name string) (string, bool) {
		f, ok := strings.CutPrefix(name, "fields.")
		if !ok {
			return "", false
		}
		v, ok := fields[f]
		return v, ok
	}, false)
}
