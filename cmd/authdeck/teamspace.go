package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/workspace"
)

// personalWorkspace is the --workspace value that picks the personal
// workspace even inside a repository with a team workspace.
const personalWorkspace = "personal"

// teamState is the team workspace a command works in, found once.
type teamState struct {
	done bool
	ws   *workspace.Workspace
	err  error
}

// workDir is the directory a team workspace is found from.
func (a *App) workDir() (string, error) {
	if a.Dir != "" {
		return a.Dir, nil
	}
	return os.Getwd()
}

// teamWorkspace returns the team workspace the command works in: the
// folder named by --workspace or $AUTHDECK_WORKSPACE, else the nearest one
// upward from the working directory (as git finds .git); nil means the
// personal workspace.
func (a *App) teamWorkspace() (*workspace.Workspace, error) {
	if a.team.done {
		return a.team.ws, a.team.err
	}
	a.team.done = true
	a.team.ws, a.team.err = a.findTeamWorkspace()
	return a.team.ws, a.team.err
}

func (a *App) findTeamWorkspace() (*workspace.Workspace, error) {
	named, from := a.WorkspaceFlag, "--workspace"
	if named == "" {
		named, from = a.Getenv("AUTHDECK_WORKSPACE"), "AUTHDECK_WORKSPACE"
	}
	var root string
	switch named {
	case personalWorkspace:
		return nil, nil
	case "":
		dir, err := a.workDir()
		if err != nil {
			return nil, nil // no working directory: the personal workspace
		}
		r, ok, err := workspace.Find(dir)
		if err != nil || !ok {
			return nil, err
		}
		root = r
	default:
		r, ok, err := workspace.Find(a.resolvePath(named))
		if err != nil {
			return nil, err
		}
		if !ok || !sameOrInside(r, a.resolvePath(named)) {
			return nil, fmt.Errorf("%w: %s names %s, which is not a team workspace folder (create one with 'authdeck init')", vault.ErrNotConfigured, from, named)
		}
		root = r
	}
	return workspace.Open(root, workspace.Options{Home: a.home(), Identity: a.identityOptions()})
}

// sameOrInside reports whether p is root or a directory inside it (the
// workspace folder, or its repository's top holding it as "authdeck").
func sameOrInside(root, p string) bool {
	root, p = filepath.Clean(root), filepath.Clean(p)
	return root == p || filepath.Dir(root) == p || strings.HasPrefix(p, root+string(filepath.Separator))
}

// resolvePath makes p absolute against the working directory.
func (a *App) resolvePath(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	if dir, err := a.workDir(); err == nil {
		return filepath.Join(dir, p)
	}
	return p
}

// identityOptions says where this person's keys are: $AUTHDECK_IDENTITY
// (a list of key files), else the SSH keys in ~/.ssh and the age key of
// 'team keygen'. A passphrase-protected SSH key's passphrase is asked for
// on the terminal, or in a dialog of the TUI while it runs.
func (a *App) identityOptions() workspace.IdentityOptions {
	opts := workspace.IdentityOptions{Passphrase: func(path string) ([]byte, error) {
		if ask := a.tuiKeyPassphrase; ask != nil {
			return ask(path)
		}
		p, err := a.promptSecret("Passphrase of " + path + ": ")
		return []byte(p), err
	}}
	if list := a.Getenv("AUTHDECK_IDENTITY"); list != "" {
		for _, p := range filepath.SplitList(list) {
			if p != "" {
				opts.Paths = append(opts.Paths, a.resolvePath(p))
			}
		}
		opts.Explicit = true
		return opts
	}
	opts.Paths = workspace.DefaultIdentityPaths(a.userHome(), a.home())
	return opts
}

// userHome is $HOME, else the OS's idea of it.
func (a *App) userHome() string {
	if h := a.Getenv("HOME"); h != "" {
		return h
	}
	h, _ := os.UserHomeDir()
	return h
}

// inTeamWorkspace puts the vault v (opened on the personal workspace) on
// the team workspace the command works in, if any: the catalog is the
// folder's, values are kept in v's store under the workspace's keys.
func (a *App) inTeamWorkspace(v *vault.Vault, err error) (*vault.Vault, error) {
	if err != nil {
		return nil, err
	}
	ws, err := a.teamWorkspace()
	if err != nil {
		return nil, err
	}
	if ws == nil {
		return v, nil
	}
	tv := vault.New(ws, ws.Store(v.Store()))
	return tv, nil
}

// workspaceLabel names the team workspace commands work in, and its folder
// with the home directory as ~, for the TUI's header; both empty in the
// personal workspace.
func (a *App) workspaceLabel() (name, path string) {
	ws, err := a.teamWorkspace()
	if err != nil || ws == nil {
		return "", ""
	}
	path = ws.Root()
	if h := a.userHome(); h != "" && h != string(filepath.Separator) {
		if rel, err := filepath.Rel(h, path); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			path = filepath.Join("~", rel)
		}
	}
	// a hand-edited workspace file never drives the terminal (S-40)
	return sanitizeLine(ws.Meta().Name), sanitizeLine(path)
}
