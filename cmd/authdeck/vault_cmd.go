package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/local"
)

func newVaultCmd(a *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "vault",
		Short: "Manage the encrypted file vault",
		Args:  cobra.NoArgs,
	}
	return cmd
}

// vaultPasswdOptions are the inputs of `vault passwd`.
type vaultPasswdOptions struct {
	App *App
	IO  IOStreams
	// FromStdin reads the new passphrase from stdin instead of the terminal.
	FromStdin bool
}

func newVaultPasswdCmd(a *App, runF func(context.Context, *vaultPasswdOptions) error) *cobra.Command {
	opts := &vaultPasswdOptions{App: a, IO: a.IO}
	if runF == nil {
		runF = runVaultPasswd
	}
	cmd := &cobra.Command{
		Use:   "passwd",
		Short: "Change the file vault's passphrase",
		Long: `Change the passphrase of the file vault in $AUTHDECK_HOME (identity.age
and vault.age), whichever backend AUTHDECK_VAULT selects.

Only identity.age is rewritten: the vault's identity is unwrapped with the
current passphrase ($AUTHDECK_PASSPHRASE, else a prompt) and wrapped again with
the new one; vault.age keeps its bytes. A vault written by earlier versions is
converted first. The new passphrase is asked twice on the terminal, or read
from standard input with --new-passphrase-stdin; never from an argument.

After the change, a process that had the vault open goes on working until it
exits; set AUTHDECK_PASSPHRASE to the new passphrase where you use it.
Exits 8 when the current passphrase is wrong (nothing is changed).`,
		Example: "  authdeck vault passwd\n  printf '%s\\n' \"$NEW\" | AUTHDECK_PASSPHRASE=\"$OLD\" authdeck vault passwd --new-passphrase-stdin",
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, _ []string) error { return runF(cmd.Context(), opts) },
	}
	cmd.Flags().BoolVar(&opts.FromStdin, "new-passphrase-stdin", false, "read the new passphrase from standard input")
	return cmd
}

// runVaultPasswd re-wraps the file vault's identity with a new passphrase,
// both passphrases asked for before anything is touched.
func runVaultPasswd(ctx context.Context, opts *vaultPasswdOptions) error {
	a := opts.App
	home := a.Getenv("AUTHDECK_HOME")
	if home == "" {
		h, err := local.DefaultHome()
		if err != nil {
			return err
		}
		home = h
	}
	wf, err := testScryptWorkFactor(a.Getenv)
	if err != nil {
		return err
	}
	newPass := func() (string, error) {
		if opts.FromStdin {
			return a.readStdinSecret("the new passphrase")
		}
		p, err := a.promptSecret("New vault passphrase: ")
		if err != nil {
			return "", err
		}
		again, err := a.promptSecret("Repeat the new passphrase: ")
		if err != nil {
			return "", err
		}
		if p != again {
			return "", fmt.Errorf("%w: the two new passphrases differ; nothing was changed", vault.ErrMissingInput)
		}
		return p, nil
	}
	// Both passphrases are asked for before the vault is touched; the
	// current one is checked by the change itself.
	current, err := a.passphrase()
	if err != nil {
		return err
	}
	next, err := newPass()
	if err != nil {
		return err
	}
	if next == "" {
		return fmt.Errorf("%w: the new passphrase is empty; nothing was changed", vault.ErrMissingInput)
	}
	store, err := vault.NewFileStore(vault.FileOptions{
		Dir: home, WorkFactor: wf,
		Passphrase: func() (string, error) { return current, nil },
	})
	if err != nil {
		return err
	}
	if err := store.ChangePassphrase(ctx, next); err != nil {
		if errors.Is(err, vault.ErrNotFound) {
			return exitWith(exitNotConfigured, "there is no file vault in %s yet: it is created with the first value stored with AUTHDECK_VAULT=file", home)
		}
		return err
	}
	fmt.Fprintf(opts.IO.Out, "Changed the passphrase of the file vault in %s (identity.age re-wrapped; vault.age unchanged).\n", home)
	return nil
}
