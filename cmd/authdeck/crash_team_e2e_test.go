//go:build unix

package main

import (
	"testing"

	"github.com/authdeck/authdeck/vault"
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
	runCrashSuite(t, true, crashTeamPoints, 15)
}
