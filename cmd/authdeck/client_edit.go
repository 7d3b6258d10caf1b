package main

import (
	"context"
	"fmt"
	"slices"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/authdeck/authdeck/vault"
)

// newClientEditCmd is `client edit`; runF runs it (nil: runClientEdit).
func newClientEditCmd(a *App, runF func(context.Context, *clientOptions) error) *cobra.Command {
	opts := &clientOptions{App: a, IO: a.IO}
	if runF == nil {
		runF = runClientEdit
	}
	f := &opts.Flags
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
			opts.Name, opts.Changed, opts.Given = args[0], cmd.Flags().Changed, 0
			cmd.Flags().Visit(func(fl *pflag.Flag) {
				if fl.Name != "env" {
					opts.Given++
				}
			})
			return runF(cmd.Context(), opts)
		},
	}
	f.bind(cmd.Flags(), true)
	registerClientFlagCompletions(cmd)
	return cmd
}

// runClientEdit changes the flags given of the auth client opts names;
// credentials are read when given or when the new method needs them.
func runClientEdit(ctx context.Context, opts *clientOptions) error {
	a, f := opts.App, &opts.Flags
	v, env, old, err := a.clientNamed(opts.Name)
	if err != nil {
		return err
	}
	if opts.Given == 0 {
		return exitWith(exitMissingInput, "auth client %q: nothing to change (give the flags to change; see --help)", old.Name)
	}
	if err := checkProtocolFlags(opts.Changed, old.Type); err != nil {
		return err
	}
	if old.Type == vault.ClientOAuth1 {
		return editOAuth1Client(ctx, opts, v, env, old)
	}
	ac := old
	ac.AuthParams = slices.Clone(old.AuthParams)
	ac.TokenParams = slices.Clone(old.TokenParams)
	if err := f.apply(opts.Changed, &ac); err != nil {
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
	if f.credsGiven(opts.Changed) || ac.AuthMethod != old.AuthMethod || f.shared && !old.Shared {
		stored, err := v.ClientCredentials(ctx, old)
		if err != nil {
			return err
		}
		if err := readCreds(opts, &ac, &stored); err != nil {
			return err
		}
		if ac.AuthMethod == vault.AuthNone {
			stored.ClientSecret = ""
		}
		creds = &stored
	}
	ac, err = v.PutClient(ctx, ac, creds)
	if err != nil {
		return withFlag(err, clientFieldFlags)
	}
	fmt.Fprintf(opts.IO.Out, "Updated auth client %q in environment %q.\n", ac.Name, env)
	if creds != nil && f.credsGiven(opts.Changed) {
		printCredsNote(opts.IO.Out, ac, *creds, v.Backend())
	}
	return nil
}
