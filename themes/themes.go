// Package themes holds authdeck's colour palettes as data: built-in themes
// embedded as JSON files, user themes read from $AUTHDECK_HOME/themes, and the
// rules for choosing one (light or dark terminal, NO_COLOR).
//
// A theme names colours by meaning (accent, warning, selection), never by
// widget; ui/styles turns a palette into styles in one place.
package themes

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// DefaultName is the theme used when none is chosen.
const DefaultName = "authdeck"

// MonoName is the monochrome theme used when NO_COLOR is set.
const MonoName = "mono"

// DirName is the directory under the authdeck home that holds user themes.
const DirName = "themes"

// MaxFileSize bounds a theme file; anything larger is not a palette.
const MaxFileSize = 64 << 10

// Palette is the set of semantic colours of one variant (dark or light) of a
// theme. Every colour is "#rrggbb", "#rgb", an ANSI index "0"–"255", or empty
// for the terminal's default.
type Palette struct {
	// Background, when set, is painted as the terminal background (light
	// themes that must look the same on any terminal set it).
	Background string `json:"background,omitempty"`
	// Foreground is the main text colour.
	Foreground string `json:"foreground,omitempty"`
	// Muted is secondary text: labels, descriptions.
	Muted string `json:"muted,omitempty"`
	// Faint is for hints and separators.
	Faint string `json:"faint,omitempty"`
	// Accent marks titles, focused borders and key names.
	Accent string `json:"accent,omitempty"`
	// Secondary is a second accent: the environment, links, URLs.
	Secondary string `json:"secondary,omitempty"`
	// Border is the colour of unfocused pane borders.
	Border string `json:"border,omitempty"`
	// SelectedBackground and SelectedForeground draw the list cursor.
	SelectedBackground string `json:"selectedBackground,omitempty"`
	SelectedForeground string `json:"selectedForeground,omitempty"`
	// HeaderBackground and HeaderForeground draw the top bar.
	HeaderBackground string `json:"headerBackground,omitempty"`
	HeaderForeground string `json:"headerForeground,omitempty"`
	// Success, Warning, Error and Info colour status and expiry markers.
	Success string `json:"success,omitempty"`
	Warning string `json:"warning,omitempty"`
	Error   string `json:"error,omitempty"`
	Info    string `json:"info,omitempty"`
	// Match highlights the characters a filter matched.
	Match string `json:"match,omitempty"`
}

// Theme is a named pair of palettes. A theme with only one variant uses it on
// every terminal; a monochrome theme uses no colours at all, only bold,
// underline and reverse video.
type Theme struct {
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Monochrome  bool     `json:"monochrome,omitempty"`
	Dark        *Palette `json:"dark,omitempty"`
	Light       *Palette `json:"light,omitempty"`
	// Source says where the theme came from ("built-in" or a file path).
	Source string `json:"-"`
}

// Variant returns the palette for a dark or light terminal background,
// falling back to the variant the theme has.
func (t Theme) Variant(isDark bool) Palette {
	switch {
	case t.Monochrome:
		return Palette{}
	case isDark && t.Dark != nil:
		return *t.Dark
	case !isDark && t.Light != nil:
		return *t.Light
	case t.Dark != nil:
		return *t.Dark
	case t.Light != nil:
		return *t.Light
	}
	return Palette{}
}

// Adaptive reports whether the theme has both a dark and a light variant, so
// the terminal's background decides which one is shown.
func (t Theme) Adaptive() bool { return t.Dark != nil && t.Light != nil }

//go:embed builtin/*.json
var builtinFS embed.FS

// builtinOrder is the cycling order of the built-in themes.
var builtinOrder = []string{DefaultName, "paper", "contrast", "dusk", MonoName}

// Builtin returns the built-in themes in cycling order.
func Builtin() []Theme {
	out := make([]Theme, 0, len(builtinOrder))
	for _, name := range builtinOrder {
		t, err := builtin(name)
		if err != nil {
			// The embedded files are checked by tests; a failure here is a build defect.
			panic(err)
		}
		out = append(out, t)
	}
	return out
}

func builtin(name string) (Theme, error) {
	data, err := builtinFS.ReadFile("builtin/" + name + ".json")
	if err != nil {
		return Theme{}, fmt.Errorf("no built-in theme %q", name)
	}
	t, err := Parse(data, "built-in "+name+".json")
	if err != nil {
		return Theme{}, err
	}
	t.Source = "built-in"
	return t, nil
}

// ErrNotFound is returned by Load for a name no theme has.
var ErrNotFound = errors.New("no such theme")

// UserDir returns the user theme directory under an authdeck home.
func UserDir(home string) string {
	if home == "" {
		return ""
	}
	return filepath.Join(home, DirName)
}

// Load returns the theme called name: a user theme file <userDir>/<name>.json
// when there is one (so a user can adjust a built-in theme by copying it),
// else the built-in theme. An empty name means DefaultName.
func Load(name, userDir string) (Theme, error) {
	if name == "" {
		name = DefaultName
	}
	if !validName(name) {
		return Theme{}, fmt.Errorf("%w %q (theme names use letters, digits, '-' and '_')", ErrNotFound, name)
	}
	if userDir != "" {
		path := filepath.Join(userDir, name+".json")
		t, err := LoadFile(path)
		switch {
		case err == nil:
			if t.Name != name {
				return Theme{}, fmt.Errorf("%s: name is %q but the file is called %s.json; make them match", path, t.Name, name)
			}
			return t, nil
		case !errors.Is(err, fs.ErrNotExist):
			return Theme{}, err
		}
	}
	if slices.Contains(builtinOrder, name) {
		return builtin(name)
	}
	return Theme{}, fmt.Errorf("%w %q (available: %s)", ErrNotFound, name, strings.Join(Names(userDir), ", "))
}

// LoadFile reads and parses one theme file.
func LoadFile(path string) (Theme, error) {
	f, err := os.Open(path)
	if err != nil {
		return Theme{}, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return Theme{}, fmt.Errorf("reading theme %s: %w", path, err)
	}
	if len(data) > MaxFileSize {
		return Theme{}, fmt.Errorf("%s: theme file is larger than %d KiB", path, MaxFileSize>>10)
	}
	t, err := Parse(data, path)
	if err != nil {
		return Theme{}, err
	}
	t.Source = path
	return t, nil
}

// Names lists the built-in themes in cycling order, then the user themes of
// userDir in name order. Files that do not parse are left out (All reports them).
func Names(userDir string) []string {
	all, _ := All(userDir)
	out := make([]string, len(all))
	for i, t := range all {
		out[i] = t.Name
	}
	return out
}

// All returns every usable theme: the built-in ones in cycling order (a user
// file with the same name replaces one in place), then the other user themes
// by name. The error joins the problems of user files that were skipped.
func All(userDir string) ([]Theme, error) {
	out := Builtin()
	if userDir == "" {
		return out, nil
	}
	entries, err := os.ReadDir(userDir)
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return out, fmt.Errorf("reading theme directory: %w", err)
	}
	var extra []Theme
	var errs []error
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || e.IsDir() {
			continue
		}
		if !validName(name) {
			errs = append(errs, fmt.Errorf("%s: file name is not a theme name (letters, digits, '-' and '_')", filepath.Join(userDir, e.Name())))
			continue
		}
		t, err := Load(name, userDir)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if i := slices.Index(builtinOrder, name); i >= 0 {
			out[i] = t
			continue
		}
		extra = append(extra, t)
	}
	sort.Slice(extra, func(i, j int) bool { return extra[i].Name < extra[j].Name })
	return append(out, extra...), errors.Join(errs...)
}

// Next returns the name of the theme after current in the cycling order of
// names, wrapping around; an unknown current gives the first.
func Next(names []string, current string) string {
	if len(names) == 0 {
		return DefaultName
	}
	i := slices.Index(names, current)
	return names[(i+1)%len(names)]
}

// Choose picks the theme name to start with: monochrome when NO_COLOR is set
// (any non-empty value, per no-color.org), else the saved choice, else the default.
func Choose(saved, noColor string) string {
	if noColor != "" {
		return MonoName
	}
	if saved != "" {
		return saved
	}
	return DefaultName
}

func validName(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	for _, r := range name {
		if !(r == '-' || r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')) {
			return false
		}
	}
	return true
}

// Parse decodes a theme file. Errors name the source and the line and column
// or the field at fault.
func Parse(data []byte, source string) (Theme, error) {
	var t Theme
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		return Theme{}, fmt.Errorf("%s: %s", source, describeJSONError(data, err))
	}
	if dec.More() {
		return Theme{}, fmt.Errorf("%s: unexpected data after the theme object", source)
	}
	if err := t.Validate(); err != nil {
		return Theme{}, fmt.Errorf("%s: %w", source, err)
	}
	return t, nil
}

// Validate checks the name and every colour; the error names the field.
func (t Theme) Validate() error {
	if !validName(t.Name) {
		return fmt.Errorf("name: %q is not a theme name (1–64 letters, digits, '-' or '_')", t.Name)
	}
	if !t.Monochrome && t.Dark == nil && t.Light == nil {
		return errors.New(`a theme needs a "dark" or a "light" palette (or "monochrome": true)`)
	}
	for _, v := range []struct {
		name string
		p    *Palette
	}{{"dark", t.Dark}, {"light", t.Light}} {
		if v.p == nil {
			continue
		}
		for _, f := range v.p.fields() {
			if err := CheckColor(f.value); err != nil {
				return fmt.Errorf("%s.%s: %w", v.name, f.name, err)
			}
		}
	}
	return nil
}

type paletteField struct{ name, value string }

func (p *Palette) fields() []paletteField {
	return []paletteField{
		{"background", p.Background},
		{"foreground", p.Foreground},
		{"muted", p.Muted},
		{"faint", p.Faint},
		{"accent", p.Accent},
		{"secondary", p.Secondary},
		{"border", p.Border},
		{"selectedBackground", p.SelectedBackground},
		{"selectedForeground", p.SelectedForeground},
		{"headerBackground", p.HeaderBackground},
		{"headerForeground", p.HeaderForeground},
		{"success", p.Success},
		{"warning", p.Warning},
		{"error", p.Error},
		{"info", p.Info},
		{"match", p.Match},
	}
}

// CheckColor accepts "", "#rgb", "#rrggbb" and ANSI indexes "0"–"255".
func CheckColor(s string) error {
	if s == "" {
		return nil
	}
	if hex, ok := strings.CutPrefix(s, "#"); ok {
		if len(hex) != 3 && len(hex) != 6 {
			return fmt.Errorf("%q is not a colour (use #rrggbb, #rgb or 0–255)", s)
		}
		if _, err := strconv.ParseUint(hex, 16, 32); err != nil {
			return fmt.Errorf("%q is not a colour (use #rrggbb, #rgb or 0–255)", s)
		}
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 255 || strconv.Itoa(n) != s {
		return fmt.Errorf("%q is not a colour (use #rrggbb, #rgb or 0–255)", s)
	}
	return nil
}

func describeJSONError(data []byte, err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		l, c := lineCol(data, syn.Offset)
		return fmt.Sprintf("line %d, column %d: %v", l, c, syn)
	case errors.As(err, &typ):
		l, c := lineCol(data, typ.Offset)
		field := typ.Field
		if field == "" {
			field = "value"
		}
		return fmt.Sprintf("line %d, column %d: %s should be %s, not %s", l, c, field, typ.Type, typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		l, c := lineCol(data, int64(len(data)))
		return fmt.Sprintf("line %d, column %d: unexpected end of file", l, c)
	}
	// DisallowUnknownFields reports `json: unknown field "x"`.
	return strings.TrimPrefix(err.Error(), "json: ")
}

func lineCol(data []byte, offset int64) (line, col int) {
	offset = max(0, min(offset, int64(len(data))))
	line, col = 1, 1
	for _, b := range data[:offset] {
		if b == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}
