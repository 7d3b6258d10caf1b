package header

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/authdeck/authdeck/themes"
	"github.com/authdeck/authdeck/ui/styles"
)

// A team workspace is named in the header, with its folder while the line
// has room for it; the personal workspace shows no team.
func TestHeaderNamesTheTeamWorkspace(t *testing.T) {
	t.Parallel()
	s := styles.New(themes.Builtin()[0], true)
	in := Info{Env: "dev", Backend: "keychain", Workspace: "payments", WorkspacePath: "~/src/payments/authdeck"}
	wide := ansi.Strip(View(s, in, 140))
	if !strings.Contains(wide, "team payments ~/src/payments/authdeck") || !strings.Contains(wide, "env dev") || !strings.Contains(wide, "vault keychain") {
		t.Errorf("wide header: %q", wide)
	}
	narrow := ansi.Strip(View(s, in, 60))
	if !strings.Contains(narrow, "team payments") || strings.Contains(narrow, "~/src") || !strings.Contains(narrow, "env dev") {
		t.Errorf("narrow header: %q", narrow)
	}
	if w := ansi.StringWidth(View(s, in, 60)); w != 60 {
		t.Errorf("narrow header is %d wide", w)
	}
	in.Workspace, in.WorkspacePath = "", ""
	if personal := ansi.Strip(View(s, in, 140)); strings.Contains(personal, "team") {
		t.Errorf("personal header: %q", personal)
	}
}
