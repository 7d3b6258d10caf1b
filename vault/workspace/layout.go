package workspace

import (
	"path"
	"strings"
)

// The folder's layout (paths relative to the workspace folder, always with
// '/'; names encoded by encodeName):
//
//	authdeck-workspace.json                     the workspace: format version, ID, name
//	team/NAME.pub                               a team member's public key (age or SSH)
//	environments/ENV/environment.json           an environment: variables, tenant, description
//	environments/ENV/clients/NAME.json          an auth client (every field but its credentials)
//	environments/ENV/clients/NAME.age           its credentials, when shared with the team
//	environments/ENV/secrets/NAME.json          a secret's metadata (never its value)
//	environments/ENV/secrets/NAME.age           its value, when shared with the team
//	environments/ENV/requests/FOLDER…/NAME.http a saved request, its folders as directories
//
// One item a file, so that two people changing different items change
// different files, and git merges them without a conflict.
const (
	// MarkerFile names the file that makes a directory a workspace folder.
	MarkerFile = "authdeck-workspace.json"
	// DefaultFolder is the folder `authdeck init` creates at a repository's top.
	DefaultFolder = "authdeck"

	teamDir     = "team"
	envsDir     = "environments"
	envFileName = "environment.json"
	clientsDir  = "clients"
	secretsDir  = "secrets"
	requestsDir = "requests"

	jsonExt   = ".json"
	httpExt   = ".http"
	sharedExt = ".age"
	pubExt    = ".pub"

	lockFile    = ".lock"
	journalFile = ".journal"
)

func envDir(env string) string { return path.Join(envsDir, encodeName(env)) }

func envPath(env string) string { return path.Join(envDir(env), envFileName) }

func clientPath(env, name string) string {
	return path.Join(envDir(env), clientsDir, encodeName(name)+jsonExt)
}

func secretPath(env, name string) string {
	return path.Join(envDir(env), secretsDir, encodeName(name)+jsonExt)
}

func requestPath(env string, folder []string, name string) string {
	parts := []string{envDir(env), requestsDir}
	for _, f := range folder {
		parts = append(parts, encodeName(f))
	}
	parts = append(parts, encodeName(name)+httpExt)
	return path.Join(parts...)
}

// companionPath is where an item file's shared value is kept.
func companionPath(itemPath string) string {
	return strings.TrimSuffix(itemPath, jsonExt) + sharedExt
}

func memberPath(name string) string { return path.Join(teamDir, encodeName(name)+pubExt) }

// isScratch reports a file authdeck leaves only while it writes (or after a
// crash): the lock, the journal and files written aside. They are never
// part of the workspace.
func isScratch(base string) bool {
	return base == lockFile || base == journalFile || (strings.HasPrefix(base, ".") && strings.Contains(base, ".tmp-"))
}
