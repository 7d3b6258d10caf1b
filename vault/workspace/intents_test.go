package workspace

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/authdeck/authdeck/vault"
)

// crashingStore is a personal store whose Apply ends the goroutine that
// calls it, as a SIGKILL would end the process: before writing anything
// ("before"), or once the values are written ("after"). Deferred calls run
// (the kernel releases a dead process's locks the same way). inspect sees
// each batch before it is applied.
type crashingStore struct {
	*vault.MemoryStore
	at      string
	inspect func(changes []vault.Change)
}

func (s *crashingStore) Apply(ctx context.Context, changes []vault.Change) ([]vault.Change, error) {
	if s.inspect != nil {
		s.inspect(changes)
	}
	switch s.at {
	case "before":
		runtime.Goexit()
	case "after":
		_, _ = s.MemoryStore.Apply(ctx, changes)
		runtime.Goexit()
	}
	return s.MemoryStore.Apply(ctx, changes)
}

// interrupted runs f in a goroutine of its own, which the crashing store
// may end.
func interrupted(f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	<-done
}

// teamFixture is a team workspace folder with an environment "dev" holding
// a secret "kept" (with its value) and a secret variable, opened by one
// person whose values are in mem.
type teamFixture struct {
	root, home string
	mem        *vault.MemoryStore
}

func newTeamFixture(t *testing.T) *teamFixture {
	t.Helper()
	f := &teamFixture{root: newFolder(t), home: t.TempDir(), mem: vault.NewMemoryStore()}
	_, v := f.open(t, "")
	ctx := context.Background()
	if _, err := v.AddEnv(vault.Environment{Name: "dev"}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Name: "kept", Env: "dev"}, Type: vault.TypeAPIKey}, &vault.SecretValue{Key: "kept-0123456789"}); err != nil {
		t.Fatal(err)
	}
	if err := v.SetVar(ctx, "dev", "token", "var-0123456789", true); err != nil {
		t.Fatal(err)
	}
	return f
}

// open opens the workspace as a new process would, its store crashing at
// crashAt ("" never).
func (f *teamFixture) open(t *testing.T, crashAt string) (*Workspace, *vault.Vault) {
	t.Helper()
	w, err := Open(f.root, Options{Home: f.home})
	if err != nil {
		t.Fatal(err)
	}
	return w, vault.New(w, w.Store(&crashingStore{MemoryStore: f.mem, at: crashAt}))
}

// consistent fails t unless store and folder agree, nothing is in flight,
// and the intents file is gone.
func (f *teamFixture) consistent(t *testing.T, v *vault.Vault, w *Workspace) {
	t.Helper()
	got, err := v.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !got.Consistent() || !got.Listed {
		t.Errorf("out of step after recovery: %+v", got)
	}
	if _, err := os.Stat(w.IntentsPath()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the intents file is still there: %v", err)
	}
}

func (f *teamFixture) valueKeys(t *testing.T) []string {
	t.Helper()
	keys := f.mem.Keys()
	slices.Sort(keys)
	return keys
}

// TestTeamIntentRecordedOutsideTheFolder: a change of a team workspace that
// writes the store records its intent first — in this person's state,
// never in the folder, with store keys and item IDs but no value — and
// forgets it once the folder is written.
func TestTeamIntentRecordedOutsideTheFolder(t *testing.T) {
	t.Parallel()
	f := newTeamFixture(t)
	w, err := Open(f.root, Options{Home: f.home})
	if err != nil {
		t.Fatal(err)
	}
	const value = "added-value-0123456789"
	inspected := 0
	store := &crashingStore{MemoryStore: f.mem, inspect: func(changes []vault.Change) {
		inspected++
		data, err := os.ReadFile(w.IntentsPath())
		if err != nil {
			t.Errorf("no intent recorded before the store write: %v", err)
			return
		}
		if bytes.Contains(data, []byte(value)) {
			t.Errorf("the intents file holds the value:\n%s", data)
		}
		in, err := w.Intents()
		if err != nil || len(in) != 1 || len(in[0].Keys) != 1 || !strings.HasPrefix(in[0].Keys[0], "secret/") {
			t.Errorf("intents recorded: %+v, %v; want one, naming the secret's key", in, err)
		}
		if !strings.HasPrefix(w.IntentsPath(), f.home+string(filepath.Separator)) {
			t.Errorf("the intents file %s is not in the person's home", w.IntentsPath())
		}
		for p := range tree(t, f.root) {
			if strings.Contains(p, "intent") || strings.Contains(p, "pending") {
				t.Errorf("the folder holds %s", p)
			}
		}
	}}
	v := vault.New(w, w.Store(store))
	if _, err := v.PutSecret(context.Background(), vault.Secret{Meta: vault.Meta{Name: "api", Env: "dev"}, Type: vault.TypeAPIKey}, &vault.SecretValue{Key: value}); err != nil {
		t.Fatal(err)
	}
	if inspected != 1 {
		t.Fatalf("the store was written %d times, want 1", inspected)
	}
	if _, err := os.Stat(w.IntentsPath()); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the intent outlived its change: %v", err)
	}
	c, err := w.Load()
	if err != nil || len(c.Pending) != 0 {
		t.Fatalf("pending after the change: %v, %v", c, err)
	}
	for p, content := range tree(t, f.root) {
		if strings.Contains(content, value) {
			t.Errorf("%s holds the value", p)
		}
	}
}

// TestTeamCrashSettledByNextCommand: a change killed before or after its
// store write leaves the team workspace, once the next command has run
// Recover, in the old state or the new one, and consistent (no value
// without its item, no item without its value, nothing in flight).
func TestTeamCrashSettledByNextCommand(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	type op struct {
		name string
		run  func(v *vault.Vault) error
		// state says "old" or "new" (or what is wrong) of the workspace
		// as v sees it.
		state func(t *testing.T, v *vault.Vault) string
	}
	secretState := func(name, value string) func(t *testing.T, v *vault.Vault) string {
		return func(t *testing.T, v *vault.Vault) string {
			s, err := v.Secret("dev", name)
			if err != nil {
				return "absent"
			}
			val, err := v.SecretValue(ctx, s)
			if err != nil || val.Key != value {
				return "listed without its value"
			}
			return "present"
		}
	}
	ops := []op{
		{
			name: "secret add",
			run: func(v *vault.Vault) error {
				_, err := v.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Name: "api", Env: "dev"}, Type: vault.TypeAPIKey}, &vault.SecretValue{Key: "api-0123456789"})
				return err
			},
			state: func(t *testing.T, v *vault.Vault) string {
				return map[string]string{"absent": "old", "present": "new"}[secretState("api", "api-0123456789")(t, v)]
			},
		},
		{
			name: "secret rm",
			run:  func(v *vault.Vault) error { return v.RemoveSecret(ctx, "dev", "kept") },
			state: func(t *testing.T, v *vault.Vault) string {
				return map[string]string{"absent": "new", "present": "old"}[secretState("kept", "kept-0123456789")(t, v)]
			},
		},
		{
			name: "env set --secret",
			run:  func(v *vault.Vault) error { return v.SetVar(ctx, "dev", "other", "other-0123456789", true) },
			state: func(t *testing.T, v *vault.Vault) string {
				vars, err := v.Vars(ctx, "dev")
				switch {
				case err != nil:
					return err.Error()
				case vars["token"] != "var-0123456789":
					return "the variable set before lost its value"
				case vars["other"] == "other-0123456789":
					return "new"
				case vars["other"] == "":
					return "old"
				}
				return "variable other has another value"
			},
		},
		{
			name: "env rm",
			run:  func(v *vault.Vault) error { return v.RemoveEnv(ctx, "dev") },
			state: func(t *testing.T, v *vault.Vault) string {
				c, err := v.Load()
				if err != nil {
					return err.Error()
				}
				if _, ok := c.Env("dev"); !ok {
					return "new"
				}
				if secretState("kept", "kept-0123456789")(t, v) != "present" {
					return "environment kept without its secret's value"
				}
				if vars, err := v.Vars(ctx, "dev"); err != nil || vars["token"] != "var-0123456789" {
					return "environment kept without its variable's value"
				}
				return "old"
			},
		},
	}
	want := map[string]map[string]string{
		// Before the store write, every change is rolled back. After it,
		// an addition is rolled back (its value removed) and a removal
		// completed (its value is gone).
		"before": {"secret add": "old", "secret rm": "old", "env set --secret": "old", "env rm": "old"},
		"after":  {"secret add": "old", "secret rm": "new", "env set --secret": "old", "env rm": "new"},
	}
	for _, o := range ops {
		for _, at := range []string{"before", "after"} {
			t.Run(o.name+" killed "+at+" the store write", func(t *testing.T) {
				t.Parallel()
				f := newTeamFixture(t)
				w, v := f.open(t, at)
				interrupted(func() { _ = o.run(v) })
				if _, err := os.Stat(w.IntentsPath()); err != nil {
					t.Fatalf("no intent left by the interrupted change: %v", err)
				}
				w2, v2 := f.open(t, "")
				r, err := v2.Recover(ctx)
				if err != nil || r.Settled != 1 {
					t.Fatalf("Recover: %+v, %v; want one change settled", r, err)
				}
				f.consistent(t, v2, w2)
				if got := o.state(t, v2); got != want[at][o.name] {
					t.Errorf("state after recovery: %q, want %q", got, want[at][o.name])
				}
				if r2, err := v2.Recover(ctx); err != nil || !r2.Empty() {
					t.Errorf("a second Recover did something: %+v, %v", r2, err)
				}
			})
		}
	}
}

// TestTeamIntentOfAChangeDoneIsDropped: a process killed after the folder
// write, before it forgot its intent, left a change whole: recovery finds
// it done, removes nothing and forgets the intent.
func TestTeamIntentOfAChangeDoneIsDropped(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newTeamFixture(t)
	w, v := f.open(t, "")
	s, err := v.Secret("dev", "kept")
	if err != nil {
		t.Fatal(err)
	}
	keys := f.valueKeys(t)
	if err := w.RecordIntent(vault.Intent{ID: "done1", Keys: []string{"secret/" + s.ID}, Started: time.Now()}); err != nil {
		t.Fatal(err)
	}
	c, err := w.Load()
	if err != nil || len(c.Pending) != 1 {
		t.Fatalf("Load does not show the intent: %v, %v", c, err)
	}
	if got, err := v.Check(ctx); err != nil || got.Pending != 1 {
		t.Fatalf("Check: %+v, %v; want the change in flight reported", got, err)
	}
	r, err := v.Recover(ctx)
	if err != nil || r.Settled != 1 || r.Removed != 0 || len(r.Dropped) != 0 {
		t.Fatalf("Recover: %+v, %v; want one change settled, nothing removed", r, err)
	}
	f.consistent(t, v, w)
	if got := f.valueKeys(t); !slices.Equal(got, keys) {
		t.Errorf("values after recovery %v, want %v", got, keys)
	}
}

// TestTeamRecoveryWaitsForALiveChange: a change in flight in another
// process holds the workspace's pending lock: recovery leaves its intent
// alone, and settles it once that process is gone.
func TestTeamRecoveryWaitsForALiveChange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newTeamFixture(t)
	live, _ := f.open(t, "")
	release, err := live.HoldPending(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := live.RecordIntent(vault.Intent{ID: "live1", Keys: []string{"secret/0123456789abcdef"}, Started: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := f.mem.Set(ctx, "ws/"+live.Meta().ID+"/secret/0123456789abcdef", []byte(`{"key":"in-flight-0123456789"}`)); err != nil {
		t.Fatal(err)
	}
	w, v := f.open(t, "")
	r, err := v.Recover(ctx)
	if err != nil || !r.Busy || r.Settled != 0 {
		t.Fatalf("Recover during a live change: %+v, %v; want busy", r, err)
	}
	if in, _ := w.Intents(); len(in) != 1 {
		t.Fatalf("the live change's intent was touched: %v", in)
	}
	release()
	r, err = v.Recover(ctx)
	if err != nil || r.Settled != 1 || r.Removed != 1 {
		t.Fatalf("Recover once the change's process is gone: %+v, %v; want it rolled back", r, err)
	}
	f.consistent(t, v, w)
}

// TestTeamRepairKeepsItemsOthersSet: in a team workspace an item whose value
// this person has not set is a value to set, not a broken item: doctor's
// check does not count it out of step and --repair never removes it from
// the folder. A value of the workspace that no item of this folder owns
// (another branch's, or lost by hand) is reported, and removed only when
// pruning is asked for.
func TestTeamRepairKeepsItemsOthersSet(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newTeamFixture(t)
	w, v := f.open(t, "")
	// a teammate's items: in the folder, no value of this person's
	other := &teamFixture{root: f.root, home: t.TempDir(), mem: vault.NewMemoryStore()}
	_, ov := other.open(t, "")
	if _, err := ov.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Name: "theirs", Env: "dev"}, Type: vault.TypeAPIKey}, &vault.SecretValue{Key: "theirs-0123456789"}); err != nil {
		t.Fatal(err)
	}
	if err := ov.SetVar(ctx, "dev", "theirvar", "their-var-0123456789", true); err != nil {
		t.Fatal(err)
	}
	stray := "ws/" + w.Meta().ID + "/secret/00000000deadbeef"
	if err := f.mem.Set(ctx, stray, []byte(`{"key":"stray-0123456789"}`)); err != nil {
		t.Fatal(err)
	}
	got, err := v.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Unmatched) != 0 || got.Stale != 0 || got.Pending != 0 {
		t.Errorf("a teammate's item counted out of step: %+v", got)
	}
	if !got.Listed || !got.Shared || !slices.Equal(got.Orphans, []string{"secret/00000000deadbeef"}) {
		t.Errorf("check: %+v; want the stray value listed, the store shared by checkouts", got)
	}
	if _, _, err := v.Repair(ctx, false); err != nil {
		t.Fatal(err)
	}
	if _, err := f.mem.Get(ctx, stray); err != nil {
		t.Errorf("repair without pruning removed a value: %v", err)
	}
	if _, _, err := v.Repair(ctx, true); err != nil {
		t.Fatal(err)
	}
	if _, err := f.mem.Get(ctx, stray); !errors.Is(err, vault.ErrNotFound) {
		t.Errorf("repair with pruning kept the stray value: %v", err)
	}
	if _, err := v.Secret("dev", "theirs"); err != nil {
		t.Errorf("repair removed a teammate's secret from the folder: %v", err)
	}
	c, err := v.Load()
	if err != nil {
		t.Fatal(err)
	}
	e, _ := c.Env("dev")
	if !slices.ContainsFunc(e.Variables, func(x vault.Variable) bool { return x.Name == "theirvar" && x.Secret }) {
		t.Errorf("repair removed a teammate's secret variable from the folder: %+v", e.Variables)
	}
}

// TestTeamIntentsFileErrors: a damaged intents file is an error naming it,
// and changes nothing.
func TestTeamIntentsFileErrors(t *testing.T) {
	t.Parallel()
	f := newTeamFixture(t)
	w, v := f.open(t, "")
	before := tree(t, f.root)
	if err := os.WriteFile(w.IntentsPath(), []byte("{\"version\": 1, \"pending\": [\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := v.Recover(context.Background())
	if err == nil || !strings.Contains(err.Error(), w.IntentsPath()) {
		t.Fatalf("Recover over a damaged intents file: %v; want an error naming it", err)
	}
	if _, err := w.Load(); err == nil || !strings.Contains(err.Error(), w.IntentsPath()) {
		t.Fatalf("Load over a damaged intents file: %v; want an error naming it", err)
	}
	if after := tree(t, f.root); len(after) != len(before) {
		t.Errorf("the folder changed")
	}
}

func FuzzIntentsFile(f *testing.F) {
	f.Add([]byte(`{"version": 1, "folder": "/r", "pending": [{"id": "a", "keys": ["secret/x"], "started": "2026-01-02T03:04:05Z"}]}`))
	f.Add([]byte(`{"version": 1, "folder": "/r", "pending": [{"id": "a", "keys": ["env/x"], "remove": [{"kind": "environment", "id": "x"}], "plain": {"x": {"v": "1"}}, "started": "2026-01-02T03:04:05Z"}]}`))
	f.Add([]byte(`{"version": 2}`))
	f.Add([]byte(`{"version": 1, "pending": [{"id": ""}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := parseIntents("intents.json", data)
		if err != nil {
			if got != nil {
				t.Fatal("a result with an error")
			}
			var fe *FileError
			if !errors.As(err, &fe) || fe.Path != "intents.json" {
				t.Fatalf("error without its file: %v", err)
			}
			return
		}
		if got.Version < 1 || got.Version > intentsFormat {
			t.Fatalf("version %d accepted", got.Version)
		}
		seen := map[string]bool{}
		for _, in := range got.Pending {
			if in.ID == "" || seen[in.ID] {
				t.Fatalf("intent ID %q accepted twice or empty", in.ID)
			}
			seen[in.ID] = true
		}
		// what parses encodes and parses again to the same intents
		again, err := parseIntents("intents.json", encodeJSON(got))
		if err != nil || len(again.Pending) != len(got.Pending) {
			t.Fatalf("re-encoded file does not parse back: %v", err)
		}
	})
}

// TestTeamRecoverSweepsThisFoldersFilesAside: files aside that a killed
// write of this folder's personal state, intents or kept parse left in the
// person's state directory are removed by the next command's recovery;
// those of another checkout of the same workspace (another folder path,
// whose journal may still need them) are left alone.
func TestTeamRecoverSweepsThisFoldersFilesAside(t *testing.T) {
	t.Parallel()
	f := newTeamFixture(t)
	w, v := f.open(t, "")
	mine := []string{
		w.stateAsidePrefix(overlayFile) + "1234",
		"." + filepath.Base(w.IntentsPath()) + ".tmp-5678",
		".parsed-" + w.rootTag() + ".json.tmp-9012",
	}
	theirs := []string{".state.json.tmp-00112233aabbccdd-1234", ".intents-00112233aabbccdd.json.tmp-1"}
	for _, name := range append(slices.Clone(mine), theirs...) {
		if err := os.WriteFile(filepath.Join(w.StateDir(), name), []byte("{}"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if !w.MayNeedRecovery() {
		t.Fatal("MayNeedRecovery does not see the files aside")
	}
	r, err := v.Recover(context.Background())
	if err != nil || r.Swept != len(mine) {
		t.Fatalf("Recover: %+v, %v; want %d files swept", r, err, len(mine))
	}
	for _, name := range mine {
		if _, err := os.Stat(filepath.Join(w.StateDir(), name)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s is still there", name)
		}
	}
	for _, name := range theirs {
		if _, err := os.Stat(filepath.Join(w.StateDir(), name)); err != nil {
			t.Errorf("another checkout's %s was removed: %v", name, err)
		}
	}
	if w.MayNeedRecovery() {
		t.Error("MayNeedRecovery still says yes")
	}
}
