package styles

import (
	"strings"
	"testing"

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
