package dynamic

import (
	"regexp"
	"strconv"
	"testing"
	"time"
)

func TestValues(t *testing.T) {
	now := time.Date(2026, 3, 4, 5, 6, 7, 890e6, time.UTC)
	d := New(now)
	checks := map[string]string{
		"$guid":          `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`,
		"$timestamp":     `^` + strconv.FormatInt(now.Unix(), 10) + `$`,
		"$isoTimestamp":  `^2026-03-04T05:06:07\.890Z$`,
		"$randomInt":     `^(\d|[1-9]\d|[1-9]\d\d|1000)$`,
		"$randomEmail":   `^[a-z]+\.[a-z]+\d*@example\.(com|net|org)$`,
		"$randomIP":      `^\d+\.\d+\.\d+\.\d+$`,
		"$randomBoolean": `^(true|false)$`,
	}
	for name, re := range checks {
		v, ok := d.Lookup(name)
		if !ok || !regexp.MustCompile(re).MatchString(v) {
			t.Errorf("%s = %q, %v", name, v, ok)
		}
	}
	a, _ := d.Lookup("$guid")
	b, _ := d.Lookup("$guid")
	if a != b {
		t.Error("one request got two values for $guid")
	}
	if c, _ := New(now).Lookup("$guid"); c == a {
		t.Error("two requests got the same $guid")
	}
	for range 50 {
		v, ok := New(now).Lookup("$randomInt 3 5")
		if n, _ := strconv.Atoi(v); !ok || n < 3 || n >= 5 {
			t.Fatalf("$randomInt 3 5 = %q", v)
		}
	}
	for _, bad := range []string{"$randomInt 5 3", "$randomInt x y", "$randomInt 1"} {
		if _, ok := d.Lookup(bad); ok || d.Err(bad) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, ok := d.Lookup("$notAThing"); ok || Known("$notAThing") || !Known("$randomInt 1 2") || len(Names()) < 40 {
		t.Error("Known / Names")
	}
}

// FuzzLookup: any placeholder text gives a value or a clear "no", never a
// panic or a hang (huge $randomInt bounds included).
func FuzzLookup(f *testing.F) {
	for _, s := range []string{"$guid", "$randomInt 1 9", "$randomInt -9223372036854775808 9223372036854775807", "$randomInt 0 0", "$", " ", "$randomEmail x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		d := New(time.Unix(0, 0))
		v, ok := d.Lookup(name)
		if !ok && v != "" {
			t.Fatalf("no value but %q", v)
		}
		if ok && Known(name) != true {
			t.Fatalf("%q has a value but is not known", name)
		}
	})
}
