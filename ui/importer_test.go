package ui

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/authdeck/authdeck/themes"
	"github.com/authdeck/authdeck/ui/screens/browse"
	"github.com/authdeck/authdeck/ui/screens/importer"
	"github.com/authdeck/authdeck/ui/uitest"
)

// importCorpus is the importers' corpus of real files (see its SOURCES.md).
var importCorpus = filepath.Join("..", "vault", "interchange", "testdata", "corpus")

// openImport presses i on the browse screen and returns the import screen.
func openImport(t *testing.T, d *uitest.Driver, m *Model) *importer.Model {
	t.Helper()
	d.Press("i")
	im, ok := m.Top().(*importer.Model)
	if !ok {
		t.Fatalf("i opened %T, want the import screen", m.Top())
	}
	return im
}

// readReport enters path (typed key by key, or pasted: one update instead
// of one per rune), takes the detected format and waits for the report.
func readReport(t *testing.T, d *uitest.Driver, im *importer.Model, path string, typed bool) {
	t.Helper()
	if typed {
		d.Type(path)
	} else {
		d.Paste(path)
	}
	d.Press("enter", "enter")
	d.Wait(30*time.Second, "the import report", im.Reporting)
}

// TestImportSelectsFirstImported imports real Postman collections from the
// browse screen: afterwards the browse list's cursor is on the first
// request, in its folder when it has one.
func TestImportSelectsFirstImported(t *testing.T) {
	t.Parallel()
	cases := []struct{ file, first string }{
		{"bruno-import-issues.postman_collection.json", "Valid GET Request"},
		{"wise-cards.postman_collection.json", "Generate tokens from authorization code"},
	}
	for _, c := range cases {
		t.Run(c.first, func(t *testing.T) {
			d, m, v := fixtureApp(t, 120, 40, nil)
			d.Busy = uitest.StoreBusy
			im := openImport(t, d, m)
			readReport(t, d, im, filepath.Join(importCorpus, "postman", c.file), true)
			if im.Err() != nil {
				t.Fatalf("parse: %v", im.Err())
			}
			d.Press("enter")
			d.Wait(30*time.Second, "the import to finish", func() bool { _, ok := m.Top().(*browse.Model); return ok })
			r, ok := uitest.Catalog(v).Request("dev", c.first)
			if !ok {
				t.Fatal("the collection was not imported")
			}
			d.Wait(10*time.Second, "the first imported request to be selected", func() bool {
				it, ok := m.Top().(*browse.Model).Selected()
				return ok && it.ID == r.ID
			})
		})
	}
}

// TestGoldenImport: the import screen's file form, its report of a real
// Postman collection and its refusal of a broken one, in every theme at
// 80×24 and 120×40.
func TestGoldenImport(t *testing.T) {
	t.Parallel()
	views := []struct {
		name string
		path string
	}{
		{"form", ""},
		{"report", filepath.Join(importCorpus, "postman", "bruno-import-issues.postman_collection.json")},
		{"refused", filepath.Join("testdata", "import", "broken.postman_collection.json")},
	}
	for _, th := range themes.Builtin() {
		for _, size := range [][2]int{{80, 24}, {120, 40}} {
			for _, view := range views {
				t.Run(fmt.Sprintf("%s_%s_%dx%d", view.name, th.Name, size[0], size[1]), func(t *testing.T) {
					d, m, _ := fixtureApp(t, size[0], size[1], func(o *Options) { o.Theme = th.Name })
					d.Busy = uitest.StoreBusy
					im := openImport(t, d, m)
					if view.path != "" {
						readReport(t, d, im, view.path, false)
					}
					if (view.name == "refused") != (im.Err() != nil) {
						t.Fatalf("%s: err = %v", view.name, im.Err())
					}
					golden.RequireEqual(t, d.Screen())
				})
			}
		}
	}
}
