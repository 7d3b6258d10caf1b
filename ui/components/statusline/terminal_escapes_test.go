package statusline

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/authdeck/authdeck/themes"
	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/styles"
)

// A status message quoting a server or an import (S-40): C0 and C1
// controls reach the frame escaped, line breaks as spaces.
func TestTerminalEscapesStatusLineFiltersC1(t *testing.T) {
	t.Parallel()
	st := styles.New(themes.Builtin()[0], true)
	m := New(func() *styles.Styles { return st })
	m.SetWidth(200)
	m.Show(common.StatusMsg{Kind: common.StatusError, Text: "denied\n\x1b]0;t\x07 \u009b2J \u009d8;;x\u009c end", TTL: time.Minute})
	view := m.View()
	own := regexp.MustCompile(`\x1b\[[0-9;:]*m`)
	for i, r := range own.ReplaceAllString(view, "") {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			t.Fatalf("the status line holds %U at byte %d: %q", r, i, view)
		}
	}
	if want := `denied \x1b]0;t\x07 \u009b2J \u009d8;;x\u009c end`; !strings.Contains(ansi.Strip(view), want) {
		t.Errorf("status line = %q, want %q in it", ansi.Strip(view), want)
	}
}
