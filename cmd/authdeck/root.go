package main

import "github.com/spf13/cobra"

// newRootCmd builds the whole command tree: every command authdeck has is
// wired here, and only here.
func (a *App) newRootCmd() *cobra.Command {
	root := a.newRootBase()
	root.AddCommand(
		withSubcommands(newClientCmd(a),
			newClientAddCmd(a, nil), newClientEditCmd(a, nil), newClientListCmd(a, nil), newClientShowCmd(a, nil),
			newClientRmCmd(a, nil), newClientKeygenCmd(a, nil), newClientPubkeyCmd(a, nil)),
		withSubcommands(newEnvCmd(a),
			newEnvListCmd(a, nil), newEnvAddCmd(a, nil), newEnvUseCmd(a, nil), newEnvRmCmd(a, nil),
			newEnvSetCmd(a, nil), newEnvUnsetCmd(a, nil), newEnvShowCmd(a, nil)),
		withSubcommands(newSecretCmd(a),
			newSecretAddCmd(a), newSecretListCmd(a), newSecretShowCmd(a), newSecretRmCmd(a),
			newSecretImportCmd(a), newSecretSetCmd(a), newSecretUnshareCmd(a)),
		withSubcommands(newTokenCmd(a), newIntrospectCmd(a), newRevokeCmd(a)),
		withSubcommands(newRequestCmd(a), newRequestListCmd(a), newRequestShowCmd(a)),
		newSendCmd(a),
		newExecCmd(a),
		newImportCmd(a),
		withSubcommands(newExportCmd(a), newExportCurlCmd(a), newExportPostmanCmd(a), newExportPostmanEnvCmd(a), newExportSecretsCmd(a)),
		newInitCmd(a),
		withSubcommands(newWorkspaceCmd(a), newWorkspaceShowCmd(a), newWorkspaceExportCmd(a)),
		withSubcommands(newTeamCmd(a),
			newTeamAddCmd(a), newTeamRmCmd(a), newTeamListCmd(a), newTeamSyncCmd(a), newTeamKeygenCmd(a), newTeamWhoamiCmd(a)),
		withSubcommands(newVaultCmd(a), newVaultPasswdCmd(a, nil)),
		newUnlockCmd(a),
		newLockCmd(a),
		newAgentCmd(a),
		newDoctorCmd(a),
		newCheckCmd(a),
		newDemoCmd(a),
		newVersionCmd(a),
	)
	return root
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
