package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/workspace"
)

// initOptions are the inputs of `authdeck init`.
type initOptions struct {
	IO IOStreams
	// Dir is the folder to create; empty means "authdeck" at the top of
	// the repository holding WorkDir.
	Dir     string
	WorkDir string
	// Name and Env name the workspace and its first environment.
	Name, Env string
	// Key is the public key (or .pub file) the person joins the team with;
	// empty means the public key of their first private key found.
	Key string
	// Me is the name they join under; empty means the key's comment or $USER.
	Me     string
	NoTeam bool
	User   string
	// Identities finds the person's keys.
	Identities func() ([]workspace.Identity, error)
	// Open opens the new workspace.
	Open func(root string) (*workspace.Workspace, error)
}

func newInitCmd(a *App) *cobra.Command {
	opts := &initOptions{}
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Create a team workspace folder in this repository",
		Long: `Create a team workspace: a folder (by default "authdeck" at the top of the
git repository) holding the environments, auth clients, secrets' metadata and
saved requests as one file each, to review, version and merge with git.
authdeck uses it whenever it runs inside the repository (--workspace or
AUTHDECK_WORKSPACE pick another; --workspace personal the personal one).

The folder never holds a secret value: each person keeps their own values in
their own vault, and values the whole team should have are encrypted in the
folder to the team's public keys (team/NAME.pub). You join the team with your
SSH key (~/.ssh/id_ed25519.pub) or the key given with --key.`,
		Example: `  authdeck init
  authdeck init --env dev --key ~/.ssh/id_ed25519.pub --me alice
  authdeck init tools/authdeck --name payments`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Dir = a.resolvePath(args[0])
			}
			wd, err := a.workDir()
			if err != nil {
				return err
			}
			opts.IO, opts.WorkDir, opts.User = a.IO, wd, a.Getenv("USER")
			opts.Identities = func() ([]workspace.Identity, error) { return workspace.LoadIdentities(a.identityOptions()) }
			opts.Open = func(root string) (*workspace.Workspace, error) {
				return workspace.Open(root, workspace.Options{Home: a.home(), Identity: a.identityOptions()})
			}
			if opts.Key != "" {
				opts.Key = a.resolveKeyArg(opts.Key)
			}
			return runInit(cmd.Context(), opts)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&opts.Name, "name", "", "the workspace's name (default: the repository's directory name)")
	fs.StringVar(&opts.Env, "env-name", "", `the first environment's name (default "default")`)
	fs.StringVar(&opts.Key, "key", "", "your public key: a .pub file or the key itself (default: the public key of ~/.ssh/id_ed25519, ~/.ssh/id_rsa or the team key)")
	fs.StringVar(&opts.Me, "me", "", "the name you join the team under (default: your key's comment, else $USER)")
	fs.BoolVar(&opts.NoTeam, "no-team", false, "do not add yourself to the team (add members later with 'authdeck team add')")
	return cmd
}

// resolveKeyArg makes a key file argument absolute; a key itself is kept.
func (a *App) resolveKeyArg(s string) string {
	if len(s) > 4 && (s[:4] == "age1" || s[:4] == "ssh-") {
		return s
	}
	return a.resolvePath(s)
}

func runInit(_ context.Context, opts *initOptions) error {
	dir := opts.Dir
	if dir == "" {
		top, ok := workspace.RepoRoot(opts.WorkDir)
		if !ok {
			return fmt.Errorf("%w: %s is not inside a git repository; give the folder to create (authdeck init DIR)", vault.ErrNotConfigured, opts.WorkDir)
		}
		dir = filepath.Join(top, workspace.DefaultFolder)
	}
	if root, ok, err := workspace.Find(dir); err == nil && ok {
		return fmt.Errorf("%w: %s is already in the team workspace %s", vault.ErrExists, dir, root)
	}
	var me workspace.Member
	haveKey := false
	if !opts.NoTeam {
		var err error
		if me, haveKey, err = initMember(opts); err != nil {
			return err
		}
	}
	m, err := workspace.Init(dir, workspace.InitOptions{Name: opts.Name, Env: opts.Env})
	if err != nil {
		return err
	}
	out := opts.IO.Out
	fmt.Fprintf(out, "Created the team workspace %q in %s.\n", m.Name, dir)
	if haveKey {
		ws, err := opts.Open(dir)
		if err != nil {
			return err
		}
		if _, err := ws.AddMember(me); err != nil {
			return fmt.Errorf("adding you to the team: %w", err)
		}
		fmt.Fprintf(out, "You are in its team as %q (%s %s): values shared with the team are encrypted to your key.\n", me.Name, me.Kind, me.Fingerprint)
	} else if !opts.NoTeam {
		fmt.Fprintln(opts.IO.Err, "No key of yours was found (~/.ssh/id_ed25519, ~/.ssh/id_rsa): before sharing values, join the team with 'authdeck team add ~/.ssh/id_ed25519.pub' or make a key with 'authdeck team keygen'.")
	}
	rel := dir
	if r, err := filepath.Rel(opts.WorkDir, dir); err == nil {
		rel = r
	}
	fmt.Fprintf(out, `
Next:
  authdeck env add dev                           environments, clients, requests go to the folder
  authdeck secret add stripe --type API_KEY --shared   a value for the whole team (encrypted)
  authdeck team add ~/bob.pub --name bob         share with a teammate
  git add %s && git commit                        review and share through git
  authdeck check                                  in a pre-commit hook or CI: no credential in the folder
`, rel)
	return nil
}

// initMember finds the key the person joins the team with.
func initMember(opts *initOptions) (workspace.Member, bool, error) {
	var m workspace.Member
	if opts.Key != "" {
		var err error
		if m, err = workspace.ReadRecipientArg(opts.Key); err != nil {
			return m, false, fmt.Errorf("--key: %w", err)
		}
	} else {
		ids, err := opts.Identities()
		if err != nil {
			return m, false, err
		}
		if len(ids) == 0 {
			return m, false, nil
		}
		if m, err = workspace.ParseRecipient(ids[0].Recipient); err != nil {
			return m, false, err
		}
	}
	m.Name = opts.Me
	if m.Name == "" {
		m.Name = workspace.DefaultMemberName(m)
	}
	if m.Name == "" {
		m.Name = opts.User
	}
	if m.Name == "" {
		return m, false, fmt.Errorf("%w: name yourself in the team with --me NAME", vault.ErrMissingInput)
	}
	if err := vault.ValidateName("team member", m.Name); err != nil {
		return m, false, fmt.Errorf("--me: %w", err)
	}
	return m, true, nil
}
