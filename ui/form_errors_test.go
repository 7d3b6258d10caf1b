package ui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/vault"
)

// A field's validation message is on screen as soon as enter is refused,
// at every size, through the root model's layout (which cuts the screen to
// the terminal): an empty name, a name already taken, a date that does not
// parse.
func TestFormErrorsShowAtOnce(t *testing.T) {
	t.Parallel()
	for _, size := range [][2]int{{80, 24}, {120, 40}, {60, 16}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			d, _, _ := fixtureApp(t, size[0], size[1], nil)
			d.Send(common.EditMsg{Kind: common.EditSecret, Env: "dev", Type: vault.TypeAPIKey})
			d.Settle()
			d.Press("enter")
			if s := d.Screen(); !strings.Contains(s, "name is required") {
				t.Fatalf("empty name: no message on screen:\n%s", s)
			}
			d.Type("weather-key")
			d.Press("enter")
			if s := d.Screen(); !strings.Contains(s, "already") {
				t.Fatalf("duplicate name: no message on screen:\n%s", s)
			}
		})
	}
}
