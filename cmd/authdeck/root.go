package main

import (
	"slices"

	"github.com/spf13/cobra"
)

// newRootCmd builds the whole command tree.
func (a *App) newRootCmd() *cobra.Command { return a.newRootCmdFor(nil) }

// newRootCmdFor builds the command tree args run in. Building every
// command, with its flags and help, is a share of what a short command such
// as 'authdeck token NAME' costs; when args start with a top-level
// command's name, only that command is built. Anything else (flags first,
// help, completion, a mistyped name to suggest for) gets the whole tree.
func (a *App) newRootCmdFor(args []string) *cobra.Command {
	root := a.newRootBase()
	tree := a.commandTree()
	if len(args) > 0 {
		for _, c := range tree {
			if slices.Contains(c.names, args[0]) {
				root.AddCommand(c.build())
				return root
			}
		}
	}
	for _, c := range tree {
		root.AddCommand(c.build())
	}
	return root
}

// topCommand is a top-level command: its name and aliases (as its Use and
// Aliases say, TestCommandTreeNames checks), and how to build it with its
// subcommands.
type topCommand struct {
	names []string
	build func() *cobra.Command
}

// commandTree wires every command authdeck has, here and only here.
func (a *App) commandTree() []topCommand {
	return []topCommand{
		{[]string{"client", "clients"}, func() *cobra.Command {
			return withSubcommands(newClientCmd(a),
				newClientAddCmd(a, nil), newClientEditCmd(a, nil), newClientListCmd(a, nil), newClientShowCmd(a, nil),
				newClientRmCmd(a, nil), newClientKeygenCmd(a, nil), newClientPubkeyCmd(a, nil))
		}},
		{[]string{"env"}, func() *cobra.Command {
			return withSubcommands(newEnvCmd(a),
				newEnvListCmd(a, nil), newEnvAddCmd(a, nil), newEnvUseCmd(a, nil), newEnvRmCmd(a, nil),
				newEnvSetCmd(a, nil), newEnvUnsetCmd(a, nil), newEnvShowCmd(a, nil))
		}},
		{[]string{"secret", "secrets"}, func() *cobra.Command {
			return withSubcommands(newSecretCmd(a),
				newSecretAddCmd(a), newSecretListCmd(a), newSecretShowCmd(a), newSecretRmCmd(a),
				newSecretImportCmd(a), newSecretSetCmd(a), newSecretUnshareCmd(a))
		}},
		{[]string{"token"}, func() *cobra.Command { return withSubcommands(newTokenCmd(a), newIntrospectCmd(a), newRevokeCmd(a)) }},
		{[]string{"request"}, func() *cobra.Command {
			return withSubcommands(newRequestCmd(a), newRequestListCmd(a), newRequestShowCmd(a))
		}},
		{[]string{"send"}, func() *cobra.Command { return newSendCmd(a) }},
		{[]string{"exec"}, func() *cobra.Command { return newExecCmd(a) }},
		{[]string{"import"}, func() *cobra.Command { return newImportCmd(a) }},
		{[]string{"export"}, func() *cobra.Command {
			return withSubcommands(newExportCmd(a), newExportCurlCmd(a), newExportPostmanCmd(a), newExportPostmanEnvCmd(a), newExportSecretsCmd(a))
		}},
		{[]string{"init"}, func() *cobra.Command { return newInitCmd(a) }},
		{[]string{"workspace"}, func() *cobra.Command {
			return withSubcommands(newWorkspaceCmd(a), newWorkspaceShowCmd(a), newWorkspaceExportCmd(a))
		}},
		{[]string{"team"}, func() *cobra.Command {
			return withSubcommands(newTeamCmd(a),
				newTeamAddCmd(a), newTeamRmCmd(a), newTeamListCmd(a), newTeamSyncCmd(a), newTeamKeygenCmd(a), newTeamWhoamiCmd(a))
		}},
		{[]string{"vault"}, func() *cobra.Command { return withSubcommands(newVaultCmd(a), newVaultPasswdCmd(a, nil)) }},
		{[]string{"unlock"}, func() *cobra.Command { return newUnlockCmd(a) }},
		{[]string{"lock"}, func() *cobra.Command { return newLockCmd(a) }},
		{[]string{"agent"}, func() *cobra.Command { return newAgentCmd(a) }},
		{[]string{"doctor"}, func() *cobra.Command { return newDoctorCmd(a) }},
		{[]string{"check"}, func() *cobra.Command { return newCheckCmd(a) }},
		{[]string{"demo"}, func() *cobra.Command { return newDemoCmd(a) }},
		{[]string{"version"}, func() *cobra.Command { return newVersionCmd(a) }},
	}
}

// withSubcommands adds children to parent and returns parent, so that the
// tree above reads as a tree.
func withSubcommands(parent *cobra.Command, children ...*cobra.Command) *cobra.Command {
	parent.AddCommand(children...)
	return parent
}

// newRootBase is the bare `authdeck` command: its help, its persistent
// flags, and the TUI it opens when run without a subcommand.
func (a *App) newRootBase() *cobra.Command {
	root := &cobra.Command{
		Use:   "authdeck",
		Short: "A terminal developer console for API credentials",
		Long: `authdeck keeps environments, secrets and OAuth auth clients in the OS keychain,
walks you through OAuth flows, sends test requests with a credential applied,
and copies tokens safely. Run it without arguments for the TUI.

Environment:
  AUTHDECK_HOME        workspace directory (default: the OS config dir + /authdeck)
  AUTHDECK_VAULT       keychain (default), file (encrypted with age) or memory
  AUTHDECK_PASSPHRASE  passphrase of the file vault (else you are prompted)
  AUTHDECK_ENV         environment to use instead of the active one
  AUTHDECK_WORKSPACE   team workspace folder to use ("personal": the personal one;
                       default: the one found upward from the working directory)
  AUTHDECK_IDENTITY    private keys that open the team's shared values (default:
                       ~/.ssh/id_ed25519, ~/.ssh/id_rsa, the key of 'team keygen')
  BROWSER              program that opens URLs
  NO_COLOR             disable colours

Exit codes: 0 ok, 1 other error, 2 not configured, 3 missing input, 4 aborted,
5 server unreachable, 6 unsupported token type, 7 rejected by the server,
8 vault unavailable or locked.`,
		Version:       Version(),
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE:          func(cmd *cobra.Command, _ []string) error { return runTUI(a, cmd) },
	}
	root.SetIn(a.IO.In)
	root.SetOut(a.IO.Out)
	root.SetErr(a.IO.Err)
	root.PersistentFlags().StringVarP(&a.EnvFlag, "env", "e", "", "environment to use (default: $AUTHDECK_ENV, else the active environment)")
	root.PersistentFlags().StringVar(&a.WorkspaceFlag, "workspace", "", `team workspace folder to use, or "personal" (default: $AUTHDECK_WORKSPACE, else the one found upward from here)`)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return exitWith(exitOther, "%v (see '%s --help')", err, c.CommandPath())
	})
	return root
}
