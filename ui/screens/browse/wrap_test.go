package browse

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/authdeck/authdeck/ui/uitest"
)

// A detail value longer than the pane wraps between words and is read in
// full, at 80×24 too.
func TestLongValuesAreReadInFull(t *testing.T) {
	t.Parallel()
	v := uitest.Fixture()
	ac, err := v.Client("dev", "console")
	if err != nil {
		t.Fatal(err)
	}
	const desc = "the admin console of the billing team, used by support engineers on call for refunds and disputes"
	ac.Description = desc
	if _, err := v.PutClient(context.Background(), ac, nil); err != nil {
		t.Fatal(err)
	}
	d, _, m := newBrowse(t, v)
	d.Send(tea.WindowSizeMsg{Width: 80, Height: 24})
	selectItem(t, d, m, "console", SectionClients)
	s := d.Screen()
	for _, w := range strings.Fields(desc) {
		if !strings.Contains(s, w) {
			t.Errorf("the word %q of the description is not on screen:\n%s", w, s)
		}
	}
}
