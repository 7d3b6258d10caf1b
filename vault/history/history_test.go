package history

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authdeck/authdeck/vault"
)

func TestHistory(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "home")
	file, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []Store{file, NewMemory()} {
		name := fmt.Sprintf("%T", h)
		if list, err := h.List(); err != nil || len(list) != 0 {
			t.Fatalf("%s: empty history: %v %v", name, list, err)
		}
		big := strings.Repeat("x", MaxBody+1)
		if err := h.Add(Entry{
			Env: "dev", Method: "GET", URL: "https://x.example/1", Status: 200, ResponseBody: "small",
			Timing: Timing{Total: vault.Duration(15 * time.Millisecond)},
		}); err != nil {
			t.Fatal(err)
		}
		if err := h.Add(Entry{Env: "dev", Method: "POST", URL: "https://x.example/2", Body: big, ResponseBody: big, ResponseSize: int64(len(big))}); err != nil {
			t.Fatal(err)
		}
		list, err := h.List()
		if err != nil || len(list) != 2 {
			t.Fatalf("%s: %v %v", name, len(list), err)
		}
		if list[0].URL != "https://x.example/2" || list[1].ResponseBody != "small" || list[1].ID == "" {
			t.Fatalf("%s: order or content: %+v", name, list)
		}
		if list[0].ResponseBody != "" || !list[0].BodyOmitted || list[0].ResponseSize != int64(len(big)) || strings.Contains(list[0].Body, "xxxx") {
			t.Fatalf("%s: large bodies must be kept as metadata only", name)
		}
		if list[1].Timing.Total.Std() != 15*time.Millisecond {
			t.Fatalf("%s: timing %v", name, list[1].Timing)
		}
		for i := 0; i < MaxEntries+5; i++ {
			if err := h.Add(Entry{Method: "GET", URL: fmt.Sprintf("https://x.example/n%d", i)}); err != nil {
				t.Fatal(err)
			}
		}
		list, _ = h.List()
		if len(list) != MaxEntries || list[0].URL != fmt.Sprintf("https://x.example/n%d", MaxEntries+4) {
			t.Fatalf("%s: %d entries, newest %s", name, len(list), list[0].URL)
		}
		if err := h.Clear(); err != nil {
			t.Fatal(err)
		}
		if list, _ := h.List(); len(list) != 0 {
			t.Fatalf("%s: cleared history has %d entries", name, len(list))
		}
	}
	// S-32: 0600 file in a 0700 directory.
	fi, err := os.Stat(file.Path())
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("history file mode: %v %v", fi.Mode(), err)
	}
	if di, _ := os.Stat(dir); di.Mode().Perm() != 0o700 {
		t.Fatalf("directory mode %v", di.Mode())
	}
}

// TestHistoryConcurrentWriters (S-35): writers in parallel never lose an entry.
func TestHistoryConcurrentWriters(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// separate handles, as separate processes would have
			h, err := Open(dir)
			if err != nil {
				t.Error(err)
				return
			}
			for i := 0; i < 10; i++ {
				if err := h.Add(Entry{Method: "GET", URL: fmt.Sprintf("https://x.example/%d/%d", w, i)}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	h, _ := Open(dir)
	if list, err := h.List(); err != nil || len(list) != 40 {
		t.Fatalf("%d entries, %v", len(list), err)
	}
}

func TestHistoryCorrupt(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	h, _ := Open(dir)
	if err := os.WriteFile(h.Path(), []byte("{\n \"version\": 1,\n \"entries\": [}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := h.List()
	if err == nil || !strings.Contains(err.Error(), "line 3") || !strings.Contains(err.Error(), "move it away") {
		t.Fatalf("err = %v", err)
	}
	if err := h.Add(Entry{URL: "x"}); err == nil {
		t.Fatal("adding to a corrupt history must not overwrite it")
	}
}
