package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/workspace"
)

func newWorkspaceCmd(a *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "workspace",
		Short: "Which workspace is open; move the personal workspace into a team one",
		Example: `  authdeck workspace show
  authdeck workspace export ./authdeck --env dev`,
		Args: cobra.NoArgs,
	}
	return cmd
}

// ---- workspace show ----

type workspaceShowOptions struct {
	IO        IOStreams
	JSON      bool
	Workspace func() (*workspace.Workspace, error)
	Home      string
}

func newWorkspaceShowCmd(a *App) *cobra.Command {
	opts := &workspaceShowOptions{}
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Say which workspace commands work in here, and where it is",
		Example: `  authdeck workspace show
  authdeck workspace show --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.IO, opts.Workspace, opts.Home = a.IO, a.teamWorkspace, a.home()
			return runWorkspaceShow(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
	return cmd
}

func runWorkspaceShow(_ context.Context, opts *workspaceShowOptions) error {
	ws, err := opts.Workspace()
	if err != nil {
		return err
	}
	type out struct {
		Kind     string `json:"kind"`
		Name     string `json:"name,omitempty"`
		Location string `json:"location"`
		ID       string `json:"id,omitempty"`
		State    string `json:"state,omitempty"`
		Members  int    `json:"members"`
	}
	o := out{Kind: "personal", Location: opts.Home}
	if ws != nil {
		members, err := ws.Members()
		if err != nil {
			return err
		}
		o = out{Kind: "team", Name: ws.Meta().Name, Location: ws.Root(), ID: ws.Meta().ID, State: ws.StateDir(), Members: len(members)}
	}
	if opts.JSON {
		return writeJSON(opts.IO.Out, o)
	}
	if ws == nil {
		fmt.Fprintf(opts.IO.Out, "The personal workspace (%s).\nNo team workspace here: 'authdeck init' makes one in a repository.\n", o.Location)
		return nil
	}
	fmt.Fprintf(opts.IO.Out, "The team workspace %q in %s (%d team %s).\nYour state of it (active environment, token sets) is in %s.\n",
		o.Name, o.Location, o.Members, pick(o.Members, "member", "members"), o.State)
	return nil
}

// ---- workspace export ----

type workspaceExportOptions struct {
	IO        IOStreams
	Dir       string
	Envs      []string
	NoValues  bool
	Name      string
	Personal  func() (*vault.Vault, error)
	OpenTeam  func(root string) (*workspace.Workspace, error)
	TeamVault func(ws *workspace.Workspace, personal *vault.Vault) *vault.Vault
}

func newWorkspaceExportCmd(a *App) *cobra.Command {
	opts := &workspaceExportOptions{}
	cmd := &cobra.Command{
		Use:   "export DIR [--env ENV]...",
		Short: "Write the personal workspace (or some environments) as a team workspace folder",
		Long: `Write the environments, auth clients, secrets' metadata and saved requests of
the personal workspace (all of it, or the environments given with --env) as a
new team workspace folder DIR, to commit to a repository. No value goes into
the folder: the values you hold are copied into your vault under the new
workspace's keys (--no-values leaves them out; each person then sets theirs).
Share values with the team afterwards ('authdeck secret set NAME --shared').`,
		Example: `  authdeck workspace export ~/src/payments/authdeck
  authdeck workspace export ./authdeck --env dev --env staging --no-values`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.IO, opts.Dir = a.IO, a.resolvePath(args[0])
			envs, _ := cmd.Flags().GetStringArray("env")
			opts.Envs = envs
			opts.Personal = func() (*vault.Vault, error) {
				// the personal workspace, whatever folder this runs in
				a.team = teamState{done: true}
				return a.Vault()
			}
			opts.OpenTeam = func(root string) (*workspace.Workspace, error) {
				return workspace.Open(root, workspace.Options{Home: a.home(), Identity: a.identityOptions()})
			}
			opts.TeamVault = func(ws *workspace.Workspace, personal *vault.Vault) *vault.Vault {
				return vault.New(ws, ws.Store(personal.Store()))
			}
			return runWorkspaceExport(cmd.Context(), opts)
		},
	}
	fs := cmd.Flags()
	fs.StringArray("env", nil, "an environment to export (repeatable; default: all)")
	fs.BoolVar(&opts.NoValues, "no-values", false, "leave the values out: each person, you included, sets their own")
	fs.StringVar(&opts.Name, "name", "", "the team workspace's name (default: the repository's directory name)")
	return cmd
}

func runWorkspaceExport(ctx context.Context, opts *workspaceExportOptions) (err error) {
	if root, ok, ferr := workspace.Find(opts.Dir); ferr == nil && ok && root == opts.Dir {
		return fmt.Errorf("%w: %s is already a team workspace folder", vault.ErrExists, opts.Dir)
	}
	src, err := opts.Personal()
	if err != nil {
		return err
	}
	existed := true
	if _, serr := os.Stat(opts.Dir); errors.Is(serr, fs.ErrNotExist) {
		existed = false
	}
	m, err := workspace.Init(opts.Dir, workspace.InitOptions{Name: opts.Name, NoEnv: true})
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			// the folder was new or empty: leave nothing half made
			removeCreated(opts.Dir, existed)
		}
	}()
	ws, err := opts.OpenTeam(opts.Dir)
	if err != nil {
		return err
	}
	dst := opts.TeamVault(ws, src)
	rep, err := workspace.Export(ctx, src, dst, workspace.ExportOptions{Envs: opts.Envs, SkipValues: opts.NoValues})
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.Out, "Wrote the team workspace %q to %s: %d %s, %d auth %s, %d %s, %d %s.\n",
		m.Name, opts.Dir, rep.Envs, pick(rep.Envs, "environment", "environments"), rep.Clients, pick(rep.Clients, "client", "clients"),
		rep.Secrets, pick(rep.Secrets, "secret", "secrets"), rep.Requests, pick(rep.Requests, "request", "requests"))
	if opts.NoValues {
		fmt.Fprintln(opts.IO.Out, "No values were copied: 'authdeck doctor' in the repository lists what to set.")
	} else {
		fmt.Fprintf(opts.IO.Out, "%d %s copied into your vault for it (none into the folder).\n", rep.Values, pick(rep.Values, "value", "values"))
	}
	fmt.Fprintln(opts.IO.Out, "Next: join its team ('authdeck team add ~/.ssh/id_ed25519.pub'), check it ('authdeck check'), commit it.")
	return nil
}

// removeCreated removes a folder an export created (or filled, when it
// was an empty directory).
func removeCreated(dir string, existed bool) {
	if !existed {
		_ = os.RemoveAll(dir)
		return
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		_ = os.RemoveAll(filepath.Join(dir, e.Name()))
	}
}
