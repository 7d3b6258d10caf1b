package dynamic

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func toolValues() *Values {
	d := New(time.Date(2026, 3, 15, 12, 34, 56, 789_000_000, time.UTC))
	d.Getenv = func(n string) (string, bool) {
		v, ok := map[string]string{"API_TOKEN": "tok-from-env"}[n]
		return v, ok
	}
	d.Dotenv = func() (map[string]string, error) { return map[string]string{"USERNAME": "alice"}, nil }
	d.Var = func(n string) (string, bool) { v, ok := map[string]string{"tokenVar": "API_TOKEN"}[n]; return v, ok }
	return d
}

func TestRESTClientAndJetBrainsVariables(t *testing.T) {
	t.Parallel()
	uuid := `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`
	tests := []struct{ name, want string }{
		{"$uuid", uuid},
		{"$random.uuid", uuid},
		{"$timestamp", "^1773578096$"},
		{"$timestamp -1 d", "^1773491696$"},
		{"$datetime iso8601", `^2026-03-15T12:34:56\.789Z$`},
		{"$datetime rfc1123", `^Sun, 15 Mar 2026 12:34:56 UTC$`},
		{"$datetime iso8601 1 y", `^2027-03-15T12:34:56\.789Z$`},
		{"$datetime 'YYYY-MM-DD'", `^2026-03-15$`},
		{`$datetime "DD/MM/YY HH:mm:ss.SSS [at] A" -2 h`, `^15/03/26 10:34:56\.789 at AM$`},
		{"$localDatetime 'YYYY'", `^2026$`},
		{"$random.integer(10, 12)", `^1[01]$`},
		{"$random.float(0, 1)", `^0(\.[0-9]+)?$`},
		{"$random.alphabetic(12)", `^[A-Za-z]{12}$`},
		{"$random.alphanumeric(5)", `^[A-Za-z0-9_]{5}$`},
		{"$random.hexadecimal(6)", `^[0-9a-f]{6}$`},
		{"$random.email", `^[a-z.-]+@example\.(com|net|org)$`},
		{"$processEnv API_TOKEN", `^tok-from-env$`},
		{"$processEnv %tokenVar", `^tok-from-env$`},
		{"$dotenv USERNAME", `^alice$`},
	}
	d := toolValues()
	for _, tt := range tests {
		if !Known(tt.name) {
			t.Errorf("Known(%q) = false", tt.name)
		}
		got, ok := d.Lookup(tt.name)
		if !ok {
			t.Errorf("Lookup(%q): %v", tt.name, d.Err(tt.name))
			continue
		}
		if !regexp.MustCompile(tt.want).MatchString(got) {
			t.Errorf("Lookup(%q) = %q, want /%s/", tt.name, got, tt.want)
		}
	}
	for range 200 {
		v, ok := New(time.Now()).Lookup("$random.integer(1, 3)")
		if n, _ := strconv.Atoi(v); !ok || n < 1 || n > 2 {
			t.Fatalf("$random.integer(1, 3) = %q", v)
		}
	}
}

func TestVariableErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, want string }{
		{"$timestamp 1 q", "offset unit"},
		{"$datetime", "needs a format"},
		{"$datetime 'YYYY", "not closed"},
		{"$datetime unix", "is not rfc1123"},
		{"$random.integer(3)", "takes (from, to)"},
		{"$random.integer(5, 5)", "from < to"},
		{"$random.alphabetic(99999)", "from 0 to 4096"},
		{"$processEnv", "takes one variable name"},
		{"$processEnv MISSING", "MISSING is not set"},
		{"$processEnv %nothing", "says which variable"},
		{"$dotenv PASSWORD", "has no PASSWORD"},
	}
	d := toolValues()
	for _, tt := range tests {
		if _, ok := d.Lookup(tt.name); ok {
			t.Errorf("Lookup(%q) succeeded", tt.name)
			continue
		}
		if err := d.Err(tt.name); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Err(%q) = %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestSensitive(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]bool{"$processEnv X": true, "$dotenv X": true, "$guid": false, "$timestamp": false} {
		if Sensitive(name) != want {
			t.Errorf("Sensitive(%q) != %v", name, want)
		}
	}
}

func TestParseDotenv(t *testing.T) {
	t.Parallel()
	in := "\ufeff# comment\nexport A=1\nB = two words # note\nC='single # kept'\nD=\"line\\nnext \\\"q\\\"\"\nnot a line\n=novalue\n"
	got, err := ParseDotenv(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"A": "1", "B": "two words", "C": "single # kept", "D": "line\nnext \"q\""}
	if len(got) != len(want) {
		t.Errorf("got %q", got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

// FuzzLookupToolVariables: any placeholder name either has a value or an error saying why.
func FuzzLookupToolVariables(f *testing.F) {
	for _, s := range []string{"$guid", "$randomInt 1 9", "$datetime 'YYYY [x] SSS' -1 d", "$random.integer(-5, 5)", "$timestamp 3 ms", "$random.float(1.5, 2)", "$processEnv %x", "$random.alphabetic(3)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		d := toolValues()
		if _, ok := d.Lookup(name); !ok && Known(name) && d.Err(name) == nil {
			t.Fatalf("%q is known but has neither a value nor an error", name)
		}
	})
}
