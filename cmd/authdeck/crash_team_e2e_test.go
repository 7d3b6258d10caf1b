//go:build unix

package main

import (
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/vaulttest"
)

// crashTeamPoints are the instants tried for every operation in a team
// workspace (S-38): the intent recorded in the person's home, the store
// written (the vault file replaced, a keychain item replaced), the store
// written but not the folder, the folder's journal written, a file of the
// folder renamed into place, the folder written but the intent not yet
// forgotten. "{tag}" is the folder's tag in the name of its intents file.
var crashTeamPoints = map[string][]string{
	vault.BackendFile: {
		"aside:intents-{tag}.json#1", "intent-recorded",
		"aside:vault.age#1", "replaced:vault.age#1", "store-applied",
		"folder-journaled", "folder-renamed#1", "folder-renamed#2", "folder-written",
	},
	vault.BackendKeychain: {
		"aside:intents-{tag}.json#1", "intent-recorded",
		"keychain-replaced#1", "keychain-replaced#2", "keychain-replaced#4", "store-applied",
		"folder-journaled", "folder-renamed#1", "folder-written",
	},
}

// TestCrashConsistencyTeamWorkspace is the crash test in a team workspace:
// the same changes, killed at the same kind of instants and at random
// moments, leave the folder and this person's store consistent once the
// next command has run — no value of the workspace that no item owns, no
// item without its value, no intent left, no file aside — and the change
// whole or not at all.
func TestCrashConsistencyTeamWorkspace(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("builds and kills the binary; skipped with -short (never in CI)")
	}
	dir := t.TempDir()
	bin := buildCrashBinary(t, dir)
	for _, backend := range []string{vault.BackendFile, vault.BackendKeychain} {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			if backend == vault.BackendKeychain {
				vaulttest.RequireSecretService(t)
			}
			var tally crashTally
			start := time.Now()
			rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 15))
			for _, op := range crashOps() {
				for _, point := range crashTeamPoints[backend] {
					crashTrial(t, bin, dir, backend, true, op, point, 0, &tally)
				}
				crashTrial(t, bin, dir, backend, true, op, "store-applied", 0, &tally, "settle-store-done")
				d := crashTrial(t, bin, dir, backend, true, op, "", 0, &tally)
				if backend == vault.BackendKeychain {
					continue // see TestCrashConsistencyRepairedByNextCommand
				}
				for range crashRandomKills {
					crashTrial(t, bin, dir, backend, true, op, "", time.Duration(rng.Int64N(int64(d)+1)), &tally)
				}
			}
			t.Logf("team workspace, %s vault: %d kill points tried, %d killed the process (%d not reached), %d of %d consistent after the next command, in %v",
				backend, tally.tried, tally.killed, tally.notReached, tally.consistent, tally.killed, time.Since(start).Round(time.Millisecond))
			if tally.consistent != tally.killed {
				t.Fatalf("%d of %d interrupted changes left the team workspace inconsistent", tally.killed-tally.consistent, tally.killed)
			}
			if tally.killed < tally.tried/2 {
				t.Fatalf("only %d of %d kill points were reached: the crash points are not where the test expects them", tally.killed, tally.tried)
			}
		})
	}
}
