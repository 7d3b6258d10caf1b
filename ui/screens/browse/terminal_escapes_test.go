package browse

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/ui/uitest"
	"github.com/authdeck/authdeck/vault"
)

// Imported descriptions and tenants with escape sequences and C1 controls
// (S-40) are shown escaped in the detail pane, never obeyed.
func TestTerminalEscapesDetailShowsImportedTextEscaped(t *testing.T) {
	t.Parallel()
	v := uitest.Fixture()
	c, err := v.Load()
	if err != nil {
		t.Fatal(err)
	}
	env := c.ActiveEnv
	s := vault.Secret{Meta: vault.Meta{Name: "hostile", Env: env, Description: "x\x1b]52;c;aGk=\x07y", Tenant: "t\u009b2J"}, Type: vault.TypeAPIKey}
	if _, err := v.PutSecret(context.Background(), s, &vault.SecretValue{Key: "k-123456"}); err != nil {
		t.Fatal(err)
	}
	d, _, m := newBrowse(t, v)
	selectName(t, d, m, "hostile")
	frame := regexp.MustCompile(`\x1b\[[0-9;:]*m`).ReplaceAllString(uitest.ViewString(d.Model), "")
	for i, r := range frame {
		if (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			t.Fatalf("the frame holds %U at byte %d:\n%q", r, i, frame)
		}
	}
	for _, want := range []string{`x\x1b]52;c;aGk=\x07y`, `t\u009b2J`} {
		if !strings.Contains(frame, want) {
			t.Errorf("the detail pane does not show %q:\n%s", want, frame)
		}
	}
}
