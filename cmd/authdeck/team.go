package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/workspace"
)

// teamOptions are what every `authdeck team` verb needs.
type teamOptions struct {
	IO IOStreams
	// Workspace opens the team workspace (nil: there is none here).
	Workspace func() (*workspace.Workspace, error)
	// Identities finds this person's keys.
	Identities func() ([]workspace.Identity, error)
	// Paint colours a line for the terminal (or not).
	Paint func(sgr, s string) string
}

func (a *App) teamOpts() teamOptions {
	return teamOptions{
		IO:         a.IO,
		Workspace:  a.needTeamWorkspace,
		Identities: func() ([]workspace.Identity, error) { return workspace.LoadIdentities(a.identityOptions()) },
		Paint:      a.paint,
	}
}

// needTeamWorkspace is teamWorkspace for commands that only make sense in one.
func (a *App) needTeamWorkspace() (*workspace.Workspace, error) {
	ws, err := a.teamWorkspace()
	if err != nil {
		return nil, err
	}
	if ws == nil {
		return nil, fmt.Errorf("%w: this is the personal workspace; team commands work in a team workspace (run them inside a repository that has one, or create one with 'authdeck init')", vault.ErrNotConfigured)
	}
	return ws, nil
}

func newTeamCmd(a *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "team",
		Short: "Manage who the team workspace shares values with",
		Example: `  authdeck team add ~/.ssh/id_ed25519.pub
  authdeck team list
  authdeck team rm bob`,
		Long: `A team workspace shares values the whole team should have (a sandbox API key,
a shared client secret) as files encrypted with age to every team member's
public key: an SSH key (ssh-ed25519, ssh-rsa — your ~/.ssh/id_ed25519.pub will
do) or an age key (age1…, see 'team keygen'). Each member is a file
team/NAME.pub in the workspace folder.

Adding or removing a member encrypts every shared value again to the new team.
A removed member can still read what the repository's history holds and any
copy they made: rotate those credentials.`,
		Args: cobra.NoArgs,
	}
	return cmd
}

// ---- team add ----

type teamAddOptions struct {
	teamOptions
	Recipient string
	Name      string
}

func newTeamAddCmd(a *App) *cobra.Command {
	opts := &teamAddOptions{}
	cmd := &cobra.Command{
		Use:   "add RECIPIENT [--name NAME]",
		Short: "Add a member: their public key file, or the key itself (age1…, ssh-ed25519 …)",
		Example: `  authdeck team add ~/.ssh/id_ed25519.pub
  authdeck team add bob.pub --name bob
  authdeck team add age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p --name carol`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.teamOptions, opts.Recipient = a.teamOpts(), a.resolveKeyArg(args[0])
			return runTeamAdd(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Name, "name", "", "the member's name in the team (default: the SSH key's comment)")
	return cmd
}

func runTeamAdd(_ context.Context, opts *teamAddOptions) error {
	ws, err := opts.Workspace()
	if err != nil {
		return err
	}
	m, err := workspace.ReadRecipientArg(opts.Recipient)
	if err != nil {
		return fmt.Errorf("%w: %v", vault.ErrInvalid, err)
	}
	m.Name = opts.Name
	if m.Name == "" {
		m.Name = workspace.DefaultMemberName(m)
	}
	if m.Name == "" {
		return fmt.Errorf("%w: name the member with --name (the key has no comment to name it after)", vault.ErrMissingInput)
	}
	rep, err := ws.AddMember(m)
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.Out, "Added %q (%s %s) to the team.\n", m.Name, m.Kind, m.Fingerprint)
	printTeamReport(opts.teamOptions, rep)
	if len(rep.Unreadable) > 0 {
		fmt.Fprintln(opts.IO.Err, opts.Paint(sgrYellow, fmt.Sprintf("%q cannot open these yet: a teammate who can runs 'authdeck team sync'.", m.Name)))
	}
	fmt.Fprintln(opts.IO.Out, "Commit and push the workspace folder for the team to see it.")
	return nil
}

func printTeamReport(opts teamOptions, rep workspace.TeamReport) {
	if n := len(rep.Reencrypted); n > 0 {
		fmt.Fprintf(opts.IO.Out, "Encrypted %d shared %s again to the team: %s.\n", n, pick(n, "value", "values"), strings.Join(rep.Reencrypted, ", "))
	}
	if n := len(rep.Unreadable); n > 0 {
		fmt.Fprintln(opts.IO.Err, opts.Paint(sgrYellow, fmt.Sprintf("%d shared %s did not open with your key and were left as they were: %s.", n, pick(n, "value", "values"), strings.Join(rep.Unreadable, ", "))))
	}
}

// pick returns one or many by n.
func pick(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// ---- team rm ----

type teamRmOptions struct {
	teamOptions
	Member string
}

func newTeamRmCmd(a *App) *cobra.Command {
	opts := &teamRmOptions{}
	cmd := &cobra.Command{
		Use:     "rm NAME|RECIPIENT",
		Aliases: []string{"remove"},
		Short:   "Remove a member and encrypt every shared value again without them",
		Example: `  authdeck team rm bob
  authdeck team rm ~/keys/bob.pub`,
		Long: `Remove a member from the team and encrypt every shared value again to the
members left, so that the files in the workspace no longer open with the
removed member's key. Every shared value must open with your key, or nothing
changes.

The repository's history still holds the old files, which the removed member
can open, and they may have copied the values: rotate every shared
credential they could read.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.teamOptions, opts.Member = a.teamOpts(), args[0]
			return runTeamRm(cmd.Context(), opts)
		},
	}
	return cmd
}

func runTeamRm(_ context.Context, opts *teamRmOptions) error {
	ws, err := opts.Workspace()
	if err != nil {
		return err
	}
	member := opts.Member
	if strings.HasSuffix(member, ".pub") {
		if m, err := workspace.ReadRecipientArg(member); err == nil {
			member = m.Recipient
		}
	}
	rep, err := ws.RemoveMember(member)
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.Out, "Removed %q from the team.\n", opts.Member)
	printTeamReport(opts.teamOptions, rep)
	if len(rep.Reencrypted) > 0 {
		fmt.Fprintln(opts.IO.Err, opts.Paint(sgrYellow, "The repository's history still holds the values encrypted to the removed member, and they may have copies: rotate these credentials — "+strings.Join(rep.Reencrypted, ", ")+"."))
	}
	fmt.Fprintln(opts.IO.Out, "Commit and push the workspace folder for the change to reach the team.")
	return nil
}

// ---- team list ----

type teamListOptions struct {
	teamOptions
	JSON bool
	// Catalog reads the items, to list the shared values.
	Catalog func() (*vault.Catalog, error)
}

type teamMemberJSON struct {
	Name        string `json:"name"`
	Kind        string `json:"kind"`
	Recipient   string `json:"recipient"`
	Fingerprint string `json:"fingerprint"`
	You         bool   `json:"you,omitempty"`
}

type sharedValueJSON struct {
	Kind       string   `json:"kind"`
	Env        string   `json:"env"`
	Name       string   `json:"name"`
	SharedWith []string `json:"sharedWith"`
	// Behind says the value is not encrypted to exactly the team ('team sync').
	Behind bool `json:"behind,omitempty"`
}

func newTeamListCmd(a *App) *cobra.Command {
	opts := &teamListOptions{}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the team's members and the values shared with them",
		Example: `  authdeck team list
  authdeck team list --json | jq '.shared[] | select(.behind)'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.teamOptions = a.teamOpts()
			opts.Catalog = func() (*vault.Catalog, error) {
				ws, err := a.needTeamWorkspace()
				if err != nil {
					return nil, err
				}
				return ws.Load()
			}
			return runTeamList(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
	return cmd
}

func runTeamList(_ context.Context, opts *teamListOptions) error {
	ws, err := opts.Workspace()
	if err != nil {
		return err
	}
	members, err := ws.Members()
	if err != nil {
		return err
	}
	c, err := opts.Catalog()
	if err != nil {
		return err
	}
	ids, _ := opts.Identities()
	mine := map[string]bool{}
	for _, id := range ids {
		if m, err := workspace.ParseRecipient(id.Recipient); err == nil {
			mine[m.Fingerprint] = true
		}
	}
	var ms []teamMemberJSON
	names := make([]string, 0, len(members))
	for _, m := range members {
		ms = append(ms, teamMemberJSON{Name: m.Name, Kind: m.Kind, Recipient: m.Recipient, Fingerprint: m.Fingerprint, You: mine[m.Fingerprint]})
		names = append(names, m.Name)
	}
	slices.Sort(names)
	var shared []sharedValueJSON
	for _, x := range c.Clients {
		if x.Shared {
			shared = append(shared, sharedValueJSON{Kind: "auth client", Env: x.Env, Name: x.Name, SharedWith: x.SharedWith, Behind: !slices.Equal(x.SharedWith, names)})
		}
	}
	for _, x := range c.Secrets {
		if x.Shared {
			shared = append(shared, sharedValueJSON{Kind: "secret", Env: x.Env, Name: x.Name, SharedWith: x.SharedWith, Behind: !slices.Equal(x.SharedWith, names)})
		}
	}
	if opts.JSON {
		return writeJSON(opts.IO.Out, struct {
			Workspace string            `json:"workspace"`
			Folder    string            `json:"folder"`
			Members   []teamMemberJSON  `json:"members"`
			Shared    []sharedValueJSON `json:"shared"`
		}{ws.Meta().Name, ws.Root(), emptyIfNil(ms), emptyIfNil(shared)})
	}
	w := opts.IO.Out
	fmt.Fprintf(w, "Team of the workspace %q (%s):\n", ws.Meta().Name, ws.Root())
	if len(ms) == 0 {
		fmt.Fprintln(w, "  no members yet — add one with 'authdeck team add ~/.ssh/id_ed25519.pub'")
	}
	for _, m := range ms {
		you := ""
		if m.You {
			you = "  (you)"
		}
		fmt.Fprintf(w, "  %-20s %-12s %s%s\n", m.Name, m.Kind, m.Fingerprint, you)
	}
	if len(shared) == 0 {
		fmt.Fprintln(w, "No shared values.")
		return nil
	}
	fmt.Fprintln(w, "Shared values:")
	behind := false
	for _, s := range shared {
		note := ""
		if s.Behind {
			note, behind = "  ← not encrypted to the whole team", true
		}
		fmt.Fprintf(w, "  %-12s %-24s %-12s with %s%s\n", s.Kind, s.Name, s.Env, strings.Join(s.SharedWith, ", "), note)
	}
	if behind {
		fmt.Fprintln(opts.IO.Err, opts.Paint(sgrYellow, "Some shared values are not encrypted to the whole team: run 'authdeck team sync'."))
	}
	return nil
}

// emptyIfNil makes a nil list an empty one, for JSON.
func emptyIfNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// ---- team sync ----

func newTeamSyncCmd(a *App) *cobra.Command {
	return &cobra.Command{
		Use:     "sync",
		Short:   "Encrypt again to the whole team the shared values that are not",
		Example: `  authdeck team sync`,
		Long: `Encrypt again to exactly the team's members every shared value that is not: a
member added by someone whose key could not open some values does not have
them until a teammate who can runs this.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runTeamSync(cmd.Context(), a.teamOpts())
		},
	}
}

func runTeamSync(_ context.Context, opts teamOptions) error {
	ws, err := opts.Workspace()
	if err != nil {
		return err
	}
	rep, err := ws.SyncTeam()
	if err != nil {
		return err
	}
	if len(rep.Reencrypted) == 0 && len(rep.Unreadable) == 0 {
		fmt.Fprintln(opts.IO.Out, "Every shared value is encrypted to the whole team.")
		return nil
	}
	printTeamReport(opts, rep)
	return nil
}

// ---- team keygen / whoami ----

// teamKeygenOptions are the inputs of `team keygen`.
type teamKeygenOptions struct {
	IO IOStreams
	// Home is the authdeck home the key is kept in.
	Home string
}

func newTeamKeygenCmd(a *App) *cobra.Command {
	return &cobra.Command{
		Use:     "keygen",
		Short:   "Make an age key to join teams with, for people without an SSH key",
		Example: `  authdeck team keygen          # prints age1…: give it to a teammate`,
		Long: `Make an age X25519 key in the authdeck home (team-key.txt, 0600) and print its
public key, to give to a teammate ('authdeck team add age1… --name you'). authdeck
uses it to open shared values; so does 'age -d -i team-key.txt FILE'.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runTeamKeygen(&teamKeygenOptions{IO: a.IO, Home: a.home()})
		},
	}
}

// runTeamKeygen makes the age key in the home and prints its public key.
func runTeamKeygen(opts *teamKeygenOptions) error {
	if opts.Home == "" {
		return fmt.Errorf("%w: no authdeck home to keep the key in (set AUTHDECK_HOME)", vault.ErrNotConfigured)
	}
	path := filepath.Join(opts.Home, workspace.TeamKeyFile)
	r, err := workspace.GenerateTeamKey(path)
	if err != nil {
		return err
	}
	fmt.Fprintln(opts.IO.Out, r)
	fmt.Fprintf(opts.IO.Err, "Your team key is in %s (keep it private, back it up). Give the public key above to a teammate: authdeck team add %s --name YOU\n", path, r)
	return nil
}

func newTeamWhoamiCmd(a *App) *cobra.Command {
	return &cobra.Command{
		Use:     "whoami",
		Short:   "Show your keys and whether the team has them",
		Example: `  authdeck team whoami`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runTeamWhoami(a.teamOpts(), a.teamWorkspaceOrNil)
		},
	}
}

// teamWorkspaceOrNil is teamWorkspace for commands that also work without one.
func (a *App) teamWorkspaceOrNil() (*workspace.Workspace, error) { return a.teamWorkspace() }

func runTeamWhoami(opts teamOptions, wsFn func() (*workspace.Workspace, error)) error {
	ids, err := opts.Identities()
	if err != nil {
		return err
	}
	w := opts.IO.Out
	if len(ids) == 0 {
		fmt.Fprintln(w, "No key of yours found (AUTHDECK_IDENTITY, ~/.ssh/id_ed25519, ~/.ssh/id_rsa, the team key): make one with 'authdeck team keygen'.")
		return nil
	}
	var members []workspace.Member
	ws, err := wsFn()
	if err != nil {
		return err
	}
	if ws != nil {
		if members, err = ws.Members(); err != nil {
			return err
		}
	}
	for _, id := range ids {
		m, err := workspace.ParseRecipient(id.Recipient)
		if err != nil {
			continue
		}
		status := ""
		if ws != nil {
			status = "  not in the team of " + ws.Meta().Name
			for _, x := range members {
				if x.Fingerprint == m.Fingerprint {
					status = "  in the team of " + ws.Meta().Name + " as " + x.Name
				}
			}
		}
		fmt.Fprintf(w, "%s  %s%s\n    %s\n", id.Path, m.Fingerprint, status, m.Recipient)
	}
	return nil
}
