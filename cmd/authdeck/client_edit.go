package main

import (
	"fmt"
	"slices"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/authdeck/authdeck/vault"
)

func newClientEditCmd(a *App) *cobra.Command {
	f := &clientFlags{}
	cmd := &cobra.Command{
		Use:   "edit NAME [flags]",
		Short: "Change an auth client (only the flags given change)",
		Long: `Change an auth client. Only the flags given change; list flags (--scope,
--param, --token-param, --allowed-host) replace the whole list, and an empty
value clears it (--scope ""). Switching to a method that needs a credential
asks for it (or reads it from the flags).`,
		Example: `  authdeck client edit api --scope "read write admin"
  authdeck client edit api --auth-method client_secret_post
  pass show api-new | authdeck client edit api --client-secret-stdin
  authdeck client edit api --expires 2027-06-30 --allowed-host api.example.com`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: a.completeNames(completeClients),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, env, old, err := a.clientNamed(args[0])
			if err != nil {
				return err
			}
			fs := cmd.Flags()
			changed := 0
			fs.Visit(func(fl *pflag.Flag) {
				if fl.Name != "env" {
					changed++
				}
			})
			if changed == 0 {
				return exitWith(exitMissingInput, "auth client %q: nothing to change (give the flags to change; see --help)", old.Name)
			}
			if err := checkProtocolFlags(fs, old.Type); err != nil {
				return err
			}
			if old.Type == vault.ClientOAuth1 {
				return a.editOAuth1Client(cmd, v, env, old, f)
			}
			ac := old
			ac.AuthParams = slices.Clone(old.AuthParams)
			ac.TokenParams = slices.Clone(old.TokenParams)
			if err := f.apply(fs, &ac); err != nil {
				return err
			}
			if err := checkAuthMethod(&ac); err != nil {
				return err
			}
			probe := ac
			if err := probe.Validate(); err != nil {
				return withFlag(err, clientFieldFlags)
			}
			var creds *vault.ClientCredentials
			if f.credsGiven(fs) || ac.AuthMethod != old.AuthMethod {
				stored, err := v.ClientCredentials(cmd.Context(), old)
				if err != nil {
					return err
				}
				if err := a.readCreds(fs, f, &ac, &stored); err != nil {
					return err
				}
				if ac.AuthMethod == vault.AuthNone {
					stored.ClientSecret = ""
				}
				creds = &stored
			}
			ac, err = v.PutClient(cmd.Context(), ac, creds)
			if err != nil {
				return withFlag(err, clientFieldFlags)
			}
			fmt.Fprintf(a.IO.Out, "Updated auth client %q in environment %q.\n", ac.Name, env)
			if creds != nil && f.credsGiven(fs) {
				a.printCredsNote(ac, *creds, v.Backend())
			}
			return nil
		},
	}
	f.bind(cmd.Flags(), true)
	registerClientFlagCompletions(cmd)
	return cmd
}
