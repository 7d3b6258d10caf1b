package themes

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBuiltinThemesParseAndCycle(t *testing.T) {
	t.Parallel()
	all := Builtin()
	if len(all) < 4 {
		t.Fatalf("want at least four built-in themes, got %d", len(all))
	}
	seen := map[string]bool{}
	var dark, light, adaptive, mono bool
	for _, th := range all {
		if seen[th.Name] {
			t.Errorf("theme %q listed twice", th.Name)
		}
		seen[th.Name] = true
		if th.Description == "" {
			t.Errorf("theme %q has no description", th.Name)
		}
		dark = dark || th.Dark != nil
		light = light || th.Light != nil
		adaptive = adaptive || th.Adaptive()
		mono = mono || th.Monochrome
		if th.Source != "built-in" {
			t.Errorf("theme %q source = %q", th.Name, th.Source)
		}
	}
	if !dark || !light || !adaptive || !mono {
		t.Errorf("built-ins must include dark, light, adaptive and monochrome themes: dark=%v light=%v adaptive=%v mono=%v", dark, light, adaptive, mono)
	}
	if all[0].Name != DefaultName {
		t.Errorf("first theme = %q, want the default %q", all[0].Name, DefaultName)
	}
	names := Names("")
	if got := Next(names, names[len(names)-1]); got != names[0] {
		t.Errorf("Next wraps to %q, want %q", got, names[0])
	}
	if got := Next(names, "nope"); got != names[0] {
		t.Errorf("Next of unknown = %q, want %q", got, names[0])
	}
	if got := Next(names, names[0]); got != names[1] {
		t.Errorf("Next(%q) = %q, want %q", names[0], got, names[1])
	}
}

func TestVariantFallsBack(t *testing.T) {
	t.Parallel()
	paper, err := Load("paper", "")
	if err != nil {
		t.Fatal(err)
	}
	if paper.Variant(true).Background == "" || paper.Variant(true) != paper.Variant(false) {
		t.Error("a light-only theme must use its light palette on a dark terminal too")
	}
	def, err := Load("", "")
	if err != nil {
		t.Fatal(err)
	}
	if def.Variant(true).Foreground == def.Variant(false).Foreground {
		t.Error("the default theme must differ between dark and light terminals")
	}
	mono, err := Load(MonoName, "")
	if err != nil {
		t.Fatal(err)
	}
	if mono.Variant(true) != (Palette{}) {
		t.Error("monochrome theme must have no colours")
	}
}

func TestChoose(t *testing.T) {
	t.Parallel()
	tests := []struct{ saved, noColor, want string }{
		{"", "", DefaultName},
		{"dusk", "", "dusk"},
		{"dusk", "1", MonoName},
		{"", "true", MonoName},
	}
	for _, tt := range tests {
		if got := Choose(tt.saved, tt.noColor); got != tt.want {
			t.Errorf("Choose(%q, %q) = %q, want %q", tt.saved, tt.noColor, got, tt.want)
		}
	}
}

func TestParseErrorsNameThePlace(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, data, want string
	}{
		{"syntax", "{\n \"name\": \"x\",\n \"dark\": {\"accent\": }\n}", "line 3, column"},
		{"unknown field", `{"name":"x","dark":{"acent":"#fff"}}`, `unknown field "acent"`},
		{"bad colour", `{"name":"x","dark":{"accent":"#ggg"}}`, `dark.accent: "#ggg" is not a colour`},
		{"bad index", `{"name":"x","light":{"error":"256"}}`, `light.error: "256" is not a colour`},
		{"leading zero", `{"name":"x","light":{"error":"07"}}`, `light.error: "07"`},
		{"no palette", `{"name":"x"}`, `needs a "dark" or a "light" palette`},
		{"bad name", `{"name":"a b","dark":{}}`, `name: "a b"`},
		{"wrong type", `{"name":"x","monochrome":"yes"}`, "monochrome should be bool"},
		{"trailing", `{"name":"x","dark":{}} {}`, "unexpected data after"},
		{"truncated", `{"name":"x",`, "unexpected end of file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte(tt.data), "my.json")
			if err == nil {
				t.Fatal("want an error")
			}
			if !strings.HasPrefix(err.Error(), "my.json: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q should start with the source and contain %q", err, tt.want)
			}
		})
	}
}

func TestCheckColor(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"", "#fff", "#A0b1C2", "0", "15", "255"} {
		if err := CheckColor(ok); err != nil {
			t.Errorf("CheckColor(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"#", "#ff", "#fffff", "#12345g", "-1", "256", "red", "1.5", "+3"} {
		if err := CheckColor(bad); err == nil {
			t.Errorf("CheckColor(%q) accepted", bad)
		}
	}
}

func TestUserThemes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, data string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("sunset.json", `{"name":"sunset","description":"mine","dark":{"accent":"#ff8800"}}`)
	write("dusk.json", `{"name":"dusk","dark":{"accent":"#123456"}}`)
	write("broken.json", `{"name":"broken","dark":{"accent":"#xyz"}}`)
	write("mismatch.json", `{"name":"other","dark":{}}`)
	write("notes.txt", "not a theme")

	th, err := Load("sunset", dir)
	if err != nil {
		t.Fatal(err)
	}
	if th.Variant(true).Accent != "#ff8800" || th.Source != filepath.Join(dir, "sunset.json") {
		t.Errorf("user theme = %+v", th)
	}
	over, err := Load("dusk", dir)
	if err != nil {
		t.Fatal(err)
	}
	if over.Variant(true).Accent != "#123456" {
		t.Error("a user file must replace the built-in theme of the same name")
	}
	if _, err := Load("broken", dir); err == nil || !strings.Contains(err.Error(), "broken.json: dark.accent") {
		t.Errorf("broken theme error = %v", err)
	}
	if _, err := Load("mismatch", dir); err == nil || !strings.Contains(err.Error(), `name is "other"`) {
		t.Errorf("mismatched name error = %v", err)
	}
	if _, err := Load("missing", dir); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing theme error = %v", err)
	}
	if _, err := Load("../etc/passwd", dir); !errors.Is(err, ErrNotFound) {
		t.Errorf("path-like name error = %v", err)
	}

	all, err := All(dir)
	if err == nil || !strings.Contains(err.Error(), "broken.json") || !strings.Contains(err.Error(), "mismatch.json") {
		t.Errorf("All should report the broken files, got %v", err)
	}
	names := Names(dir)
	want := []string{"authdeck", "paper", "contrast", "dusk", "mono", "sunset"}
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Errorf("Names = %v, want %v", names, want)
	}
	if all[3].Source == "built-in" {
		t.Error("the user's dusk must replace the built-in one in the list")
	}
}

func TestLoadFileTooLarge(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	big := `{"name":"big","description":"` + strings.Repeat("x", MaxFileSize) + `","dark":{}}`
	if err := os.WriteFile(filepath.Join(dir, "big.json"), []byte(big), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load("big", dir); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("error = %v", err)
	}
}

func FuzzParse(f *testing.F) {
	for _, th := range []string{"authdeck", "paper", "contrast", "dusk", "mono"} {
		data, err := builtinFS.ReadFile("builtin/" + th + ".json")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"name":"x","dark":{"accent":"#fff"}}`))
	f.Add([]byte(`{"name":`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		th, err := Parse(data, "fuzz.json")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.json: ") {
				t.Errorf("error without source: %v", err)
			}
			return
		}
		if err := th.Validate(); err != nil {
			t.Errorf("parsed theme fails validation: %v", err)
		}
		_ = th.Variant(true)
		_ = th.Variant(false)
	})
}
