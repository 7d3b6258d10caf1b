package lazyre

import (
	"strings"
	"sync"
	"testing"
)

func TestRegexpCompilesOnFirstUseOnce(t *testing.T) {
	r := New(`^a(b+)c$`)
	if r.re != nil {
		t.Fatal("compiled before its first use")
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if !r.MatchString("abbc") || r.MatchString("ac") {
				t.Error("MatchString")
			}
		})
	}
	wg.Wait()
	first := r.Regexp()
	if r.Regexp() != first {
		t.Error("compiled twice")
	}
	if m := r.FindStringSubmatch("abbbc"); len(m) != 2 || m[1] != "bbb" {
		t.Errorf("FindStringSubmatch: %q", m)
	}
	if got := r.ReplaceAllString("abc", "x$1"); got != "xb" {
		t.Errorf("ReplaceAllString: %q", got)
	}
	if got := r.ReplaceAllStringFunc("abc", strings.ToUpper); got != "ABC" {
		t.Errorf("ReplaceAllStringFunc: %q", got)
	}
	if r.String() != `^a(b+)c$` {
		t.Errorf("String: %q", r.String())
	}
}

func TestMustCompileAllNamesABadExpression(t *testing.T) {
	allMu.Lock()
	saved := all
	all = nil
	allMu.Unlock()
	defer func() {
		allMu.Lock()
		all = saved
		allMu.Unlock()
	}()
	New(`a+`)
	if n := MustCompileAll(); n != 1 {
		t.Fatalf("%d expressions", n)
	}
	New(`a(`)
	defer func() {
		p := recover()
		if s, _ := p.(string); !strings.Contains(s, "missing closing )") {
			t.Fatalf("panic %v, want the expression's error", p)
		}
	}()
	MustCompileAll()
}
