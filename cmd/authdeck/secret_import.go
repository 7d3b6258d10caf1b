package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/interchange"
	"github.com/authdeck/authdeck/vault/termsafe"
)

// maxImportFile bounds an imported file.
const maxImportFile = 10 << 20

// secretImportOptions are the inputs of `secret import`.
type secretImportOptions struct {
	App *App
	IO  IOStreams
	// File is the file to import, "-" for stdin.
	File       string
	AuthMethod string
	DryRun     bool
}

func newSecretImportCmd(a *App) *cobra.Command {
	opts := &secretImportOptions{App: a, IO: a.IO}
	cmd := &cobra.Command{
		Use:   "import FILE|-",
		Short: "Import secrets and auth clients from reference secret-service JSON",
		Long: `Import the JSON bodies of the reference secret service: one {"data": {…}} item,
a bare item, or an array of them — secrets of type API_KEY (bearer tokens
included), SIMPLE, OA2_AUTHORIZATION_CODE and SESSION_AUTH, OAuth auth clients
and session-auth clients. Trailing commas are accepted; any other mistake is
reported with its line and column. Secrets link to auth clients of the same
file (by _id or name) or of the environment. Values go to the vault, metadata
to the catalog. Either everything is imported or nothing is.

The format does not say how an OAuth client authenticates; give --auth-method
for such clients (it is never guessed).`,
		Example: `  authdeck secret import secrets.json
  authdeck secret import clients.json --auth-method client_secret_post --env prod
  curl -s https://…/secrets | authdeck secret import - --dry-run`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			return runSecretImport(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.AuthMethod, "auth-method", "", "auth method for OAuth clients the file does not give one (client_secret_basic, client_secret_post, private_key_jwt, none, tls_client_auth)")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "check the file and print what would be imported; store nothing")
	_ = cmd.RegisterFlagCompletionFunc("auth-method", completeFlagValues("client_secret_basic", "client_secret_post", "private_key_jwt", "none", "tls_client_auth"))
	return cmd
}

// runSecretImport imports a secret-service JSON file whole, or nothing of
// it; --dry-run parses it and says what would be imported.
func runSecretImport(ctx context.Context, opts *secretImportOptions) error {
	a := opts.App
	v, c, env, err := a.workspace()
	if err != nil {
		return err
	}
	data, err := a.readFileArg("FILE", opts.File, maxImportFile)
	if err != nil {
		return err
	}
	in := interchange.SecretServiceOptions{Env: env, AuthMethod: vault.AuthMethod(opts.AuthMethod), Catalog: c}
	var b vault.Batch
	var notes []interchange.Note
	if opts.DryRun {
		b, notes, err = interchange.ParseSecretService(data, in)
	} else {
		b, notes, err = interchange.ImportSecretService(ctx, v, data, in)
	}
	source := opts.File
	if source == "-" {
		source = "stdin"
	}
	if err != nil {
		return a.secretImportFailure(source, opts.File, data, err)
	}
	a.printImportReport(notes, source, env, v.Backend(), opts.DryRun, len(b.Clients), len(b.Secrets))
	return nil
}

// secretImportFailure says why nothing was imported: the file is in another
// format (and which command imports it), or its problems one by one.
func (a *App) secretImportFailure(source, file string, data []byte, err error) error {
	var ie *interchange.ImportError
	if !errors.As(err, &ie) {
		return fmt.Errorf("%s: nothing was imported: %w", source, err)
	}
	if format, command := interchange.OtherFormat(data); format != "" {
		return exitWith(exitOther, "%s is %s, not secret-service JSON; import it with '%s'", source, format, strings.Replace(command, "FILE", file, 1))
	}
	printProblems(a.IO.Err, source, ie)
	return exitWith(importExitCode(ie), "%s: nothing was imported (%d problem%s)", source, len(ie.Problems), plural(len(ie.Problems)))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func (a *App) printImportReport(notes []interchange.Note, source, env, backend string, dryRun bool, clients, secrets int) {
	verb := "Imported"
	if dryRun {
		verb = "Would import"
	}
	fmt.Fprintf(a.IO.Out, "%s %d auth client%s and %d secret%s from %s into environment %q:\n", verb, clients, plural(clients), secrets, plural(secrets), source, env)
	for _, n := range notes {
		switch n.Kind {
		case interchange.NoteCreated:
			fmt.Fprintf(a.IO.Out, "  %s %s (%s)\n", a.paint(sgrGreen, "+"), termsafe.Line(n.Item), termsafe.Line(n.Msg))
		case interchange.NoteStored:
			fmt.Fprintf(a.IO.Out, "      to the %s vault: %s\n", vault.BackendLabel(backend), termsafe.Line(n.Msg))
		case interchange.NoteSkipped, interchange.NoteWarning:
			// listed after the counts
		}
	}
	var skipped, warnings []interchange.Note
	for _, n := range notes {
		switch n.Kind {
		case interchange.NoteSkipped:
			skipped = append(skipped, n)
		case interchange.NoteWarning:
			warnings = append(warnings, n)
		case interchange.NoteCreated, interchange.NoteStored:
			// counted above
		}
	}
	if len(skipped) > 0 {
		fmt.Fprintln(a.IO.Out, "Skipped:")
		for _, n := range skipped {
			fmt.Fprintf(a.IO.Out, "  - %s\n", termsafe.Line(n.String()))
		}
	}
	if len(warnings) > 0 {
		fmt.Fprintln(a.IO.Out, "Warnings:")
		for _, n := range warnings {
			fmt.Fprintf(a.IO.Out, "  %s %s\n", a.paint(sgrYellow, "!"), termsafe.Line(n.String()))
		}
	}
	if dryRun {
		fmt.Fprintln(a.IO.Out, "Nothing was stored (--dry-run).")
	}
}
