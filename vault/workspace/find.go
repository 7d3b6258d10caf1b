package workspace

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"syscall"

	"github.com/authdeck/authdeck/vault"
)

// Find returns the team workspace folder that holds dir or sits at the top
// of a directory on the way up from it, as git finds .git: dir itself or a
// parent that is a workspace folder (it has authdeck-workspace.json), or a
// parent with such an "authdeck" folder. The search stops at the top of
// the git repository holding dir, so a repository without a workspace never
// picks up one from a directory above it. ok is false when there is none.
func Find(dir string) (root string, ok bool, err error) {
	dir, err = filepath.Abs(dir)
	if err != nil {
		return "", false, err
	}
	for {
		for _, cand := range []string{dir, filepath.Join(dir, DefaultFolder)} {
			fi, err := os.Stat(filepath.Join(cand, MarkerFile))
			if err == nil && fi.Mode().IsRegular() {
				return cand, true, nil
			}
			if err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, fs.ErrPermission) && !isNotDir(err) {
				return "", false, err
			}
		}
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			return "", false, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false, nil
		}
		dir = parent
	}
}

func isNotDir(err error) bool { return errors.Is(err, syscall.ENOTDIR) }

// RepoRoot returns the top of the git repository holding dir (the
// directory with .git), if any.
func RepoRoot(dir string) (string, bool) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", false
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// folderGitignore keeps what authdeck writes only while it works out of git.
const folderGitignore = `# authdeck's lock and the journal of a change in progress: never commit them.
/.lock
/.journal
.*.tmp-*
`

// folderGitattributes keeps files byte for byte (a request body may need
// its CRLFs) and shows shared values as opaque in diffs.
const folderGitattributes = `# Files are kept as written: no line-ending conversion (request bodies may
# need theirs). Shared values are encrypted: their diffs say nothing.
* -text
*.age -diff
`

// folderReadme says what the folder is to whoever finds it in the repository.
const folderReadme = "# authdeck workspace\n\n" +
	"This folder is a team workspace of [authdeck](https://github.com/authdeck/authdeck):\n" +
	"environments, auth clients, secrets' metadata and saved requests, one file each.\n" +
	"It never holds a secret value. Each person keeps their own values in their own\n" +
	"vault (`authdeck doctor` lists what you still have to set, `authdeck secret set NAME`\n" +
	"sets one). Values the team shares are the `.age` files, encrypted to the keys in\n" +
	"`team/` (`authdeck team list`); they open with `age -d -i ~/.ssh/id_ed25519 FILE`.\n\n" +
	"Before committing, `authdeck check` finds anything in this folder that looks like a\n" +
	"credential (use it in a pre-commit hook or CI).\n\n" +
	"Requests are `.http` files: they open in JetBrains' HTTP client and VS Code's REST\n" +
	"Client. Lines `# @…` are authdeck's; keep them.\n"

// InitOptions say how to create a workspace folder.
type InitOptions struct {
	// Name is the workspace's name; empty means the repository's directory name.
	Name string
	// Env is the first environment's name; empty means "default".
	Env string
	// NoEnv makes a workspace with no environment yet (to fill by export).
	NoEnv bool
}

// Init creates a workspace folder at root: the workspace file with a new
// ID, a first environment, a README, and git attributes and ignores that
// keep the folder's files as written. A folder that already is a workspace
// is left alone (vault.ErrExists).
func Init(root string, opts InitOptions) (Meta, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return Meta{}, err
	}
	if _, err := os.Stat(filepath.Join(root, MarkerFile)); err == nil {
		return Meta{}, fmt.Errorf("%w: %s is already a workspace folder", vault.ErrExists, root)
	}
	if ents, err := os.ReadDir(root); err == nil && len(ents) > 0 {
		return Meta{}, fmt.Errorf("%w: %s exists and is not empty; give another directory", vault.ErrExists, root)
	}
	name := opts.Name
	if name == "" {
		if top, ok := RepoRoot(root); ok {
			name = filepath.Base(top)
		} else {
			name = filepath.Base(filepath.Dir(root))
		}
	}
	if err := vault.ValidateName("workspace", name); err != nil {
		return Meta{}, err
	}
	env := opts.Env
	if env == "" {
		env = vault.DefaultEnv
	}
	e := vault.Environment{ID: vault.NewID(), Name: env}
	if err := e.Validate(); err != nil {
		return Meta{}, err
	}
	m := Meta{Version: FormatVersion, ID: vault.NewID(), Name: name}
	files := []struct {
		rel  string
		data []byte
	}{
		{".gitignore", []byte(folderGitignore)},
		{".gitattributes", []byte(folderGitattributes)},
		{"README.md", []byte(folderReadme)},
		{envPath(env), encodeEnv(e)},
		{MarkerFile, encodeJSON(m)}, // last: the folder is a workspace once complete
	}
	if opts.NoEnv {
		files = slices.Delete(files, 3, 4)
	}
	for _, f := range files {
		p := filepath.Join(root, filepath.FromSlash(f.rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return Meta{}, err
		}
		tmp, err := vault.WriteAside(p, f.data)
		if err != nil {
			return Meta{}, fmt.Errorf("creating %s: %w", f.rel, err)
		}
		if err := os.Rename(tmp, p); err != nil {
			_ = os.Remove(tmp)
			return Meta{}, fmt.Errorf("creating %s: %w", f.rel, err)
		}
		syncDir(filepath.Dir(p))
	}
	return m, nil
}
