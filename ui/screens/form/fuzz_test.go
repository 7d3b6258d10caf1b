package form

import (
	"strings"
	"testing"
)

// FuzzParseParams: the name=value lists typed into forms parse without
// panicking, and what parses renders back to the same list.
func FuzzParseParams(f *testing.F) {
	for _, s := range []string{"", "a=b", "a=b c=d", "a=\nb=c", "=x", "k=v=w", "k", "x=1\ty=2", "ü=ö"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ps, err := parseParams("authParams", s)
		if err != nil {
			if !strings.Contains(err.Error(), "name=value") {
				t.Errorf("error does not say how to write it: %v", err)
			}
			return
		}
		for _, p := range ps {
			if p.Key == "" || strings.ContainsAny(p.Key, "= \n\t") {
				t.Errorf("bad key %q", p.Key)
			}
		}
		again, err := parseParams("authParams", joinParams(ps))
		if err != nil || len(again) != len(ps) {
			t.Errorf("round trip: %v, %d → %d", err, len(ps), len(again))
		}
		_ = splitList(s)
	})
}
