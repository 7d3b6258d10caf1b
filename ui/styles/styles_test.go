package styles

import (
	"strings"
	"testing"

	"charm.land/huh/v2"

	"github.com/authdeck/authdeck/themes"
)

func TestEveryThemeBuilds(t *testing.T) {
	t.Parallel()
	for _, th := range themes.Builtin() {
		for _, dark := range []bool{true, false} {
			s := New(th, dark)
			if s.Huh() == nil {
				t.Fatalf("%s: no huh theme", th.Name)
			}
			out := s.Accent.Render("x") + s.ListSelected.Render("y") + s.Header.Render("z")
			colour := strings.Contains(out, "38;2;") || strings.Contains(out, "48;2;")
			if th.Monochrome && colour {
				t.Errorf("%s renders colours", th.Name)
			}
			if !th.Monochrome && !colour {
				t.Errorf("%s renders no colours", th.Name)
			}
			if th.Monochrome && !strings.Contains(s.ListSelected.Render("y"), "7m") {
				t.Errorf("%s: the selection is not in reverse video", th.Name)
			}
			if (s.Background != nil) != (th.Variant(dark).Background != "") {
				t.Errorf("%s: background painting does not follow the palette", th.Name)
			}
		}
	}
}

// TestHuhThemeBuiltOnce: huh asks its theme for styles on every update and
// view of every field, so the form theme is built once per Styles and the
// same styles come back every time, for either background, in the theme's
// own colours.
func TestHuhThemeBuiltOnce(t *testing.T) {
	t.Parallel()
	for _, th := range themes.Builtin() {
		for _, dark := range []bool{true, false} {
			s := New(th, dark)
			first := s.Huh().Theme(dark)
			if again := s.Huh().Theme(!dark); again != first {
				t.Fatalf("%s: the form theme was built again", th.Name)
			}
			fresh := s.huhStyles()
			probe := func(h *huh.Styles) string {
				return h.Focused.Title.Render("t") + h.Focused.SelectSelector.Render() + h.Blurred.Base.Render("b") + h.Help.ShortKey.Render("k")
			}
			if got, want := probe(first), probe(fresh); got != want {
				t.Errorf("%s: the shared form theme renders %q, a fresh one %q", th.Name, got, want)
			}
		}
	}
}
