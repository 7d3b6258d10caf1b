package main

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/workspace"
)

// TestDoctorTeamWorkspaceAgreement (S-38): in a team workspace, a change
// an interrupted authdeck left (its intent in the person's home, its value
// stored, the folder never written) is settled by the next command, doctor
// included; an item a teammate added, whose value this person has not set,
// is a value to set — not out of step, never removed by --repair; a value of
// the workspace that no item of the folder owns is reported and removed by
// --repair only with --prune-keychain.
func TestDoctorTeamWorkspaceAgreement(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	repo := newRepo(t)
	alice := newTeammate(t, "alice", repo)
	bob := newTeammate(t, "bob", repo)
	alice.must("", "init", "--key", alice.pub, "--me", "alice", "--name", "payments")
	alice.must("kept-0123456789\n", "secret", "add", "kept", "--type", "API_KEY", "--value-stdin")
	bob.must("theirs-0123456789\n", "secret", "add", "theirs", "--type", "API_KEY", "--value-stdin")

	folder := filepath.Join(repo, workspace.DefaultFolder)
	ws, err := workspace.Open(folder, workspace.Options{Home: alice.env["AUTHDECK_HOME"]})
	if err != nil {
		t.Fatal(err)
	}
	prefix := "ws/" + ws.Meta().ID + "/"
	store := alice.personal.Store()
	// a `secret add` killed between its store write and its folder write
	if err := ws.RecordIntent(vault.Intent{ID: "crashed1", Keys: []string{"secret/0123456789abcdef"}, Started: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := store.Set(ctx, prefix+"secret/0123456789abcdef", []byte(`{"key":"half-added-0123456789"}`)); err != nil {
		t.Fatal(err)
	}
	// a value no item owns and no intent names (another branch's item)
	if err := store.Set(ctx, prefix+"secret/00000000deadbeef", []byte(`{"key":"stray-0123456789"}`)); err != nil {
		t.Fatal(err)
	}

	r := alice.must("", "doctor")
	if !strings.Contains(r.err, "settled what an interrupted authdeck left: 1 interrupted change settled; 1 value no item owned removed") {
		t.Fatalf("the interrupted change was not settled:\n%s", r.err)
	}
	if _, err := store.Get(ctx, prefix+"secret/0123456789abcdef"); !errors.Is(err, vault.ErrNotFound) {
		t.Fatalf("the half-added value is still stored: %v", err)
	}
	if in, err := ws.Intents(); err != nil || len(in) != 0 {
		t.Fatalf("intents left: %v, %v", in, err)
	}
	if !strings.Contains(r.out, "agreement  info") || !strings.Contains(r.out, "holds 1 value of this workspace that no item of this folder owns") ||
		!strings.Contains(r.out, "--repair --prune-keychain") || strings.Contains(r.out, `"theirs"`+" of environment") {
		t.Fatalf("doctor's agreement check:\n%s", r.out)
	}
	if !strings.Contains(r.out, "secret theirs (default)") {
		t.Fatalf("doctor does not list the teammate's secret as a value to set:\n%s", r.out)
	}

	r = alice.must("", "doctor", "--repair")
	if _, err := store.Get(ctx, prefix+"secret/00000000deadbeef"); err != nil {
		t.Fatalf("--repair without --prune-keychain removed a value another checkout may own: %v", err)
	}
	r = alice.must("", "doctor", "--repair", "--prune-keychain")
	if !strings.Contains(r.out, "1 value no item owned removed") || !strings.Contains(r.out, "catalog and store agree") {
		t.Fatalf("doctor --repair --prune-keychain:\n%s", r.out)
	}
	if _, err := store.Get(ctx, prefix+"secret/00000000deadbeef"); !errors.Is(err, vault.ErrNotFound) {
		t.Fatalf("the stray value is still stored: %v", err)
	}
	r = alice.must("", "secret", "list")
	if !strings.Contains(r.out, "theirs") || !strings.Contains(r.out, "kept") {
		t.Fatalf("the repair removed items from the folder:\n%s", r.out)
	}
}
