package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/authdeck/authdeck/oauth/request"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/interchange"
	"github.com/authdeck/authdeck/vault/termsafe"
)

func newExportCmd(a *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Export a request as curl, requests as a Postman collection, an environment as Postman, secrets as secret-service JSON",
		Long: `Export parts of the workspace for other tools. Secret values are left out
(or masked) unless you ask for them; the notes on stderr say what was left out.`,
		Args: cobra.NoArgs,
	}
	return cmd
}

// exportCurlOptions are the inputs of `export curl`.
type exportCurlOptions struct {
	App *App
	IO  IOStreams
	// Saved is the saved request's name.
	Saved           string
	Reveal, OneLine bool
}

func newExportCurlCmd(a *App) *cobra.Command {
	opts := &exportCurlOptions{App: a, IO: a.IO}
	cmd := &cobra.Command{
		Use:   "curl SAVED",
		Short: "Print a saved request as a curl command line (credentials masked unless --reveal)",
		Long: `Print the saved request as a curl command line, with the environment's
variables filled in and its credential applied. Credentials and secret
variables are masked unless --reveal; a masked command reads nothing from
the vault and fetches no token. With --reveal the command holds real
credentials: it is printed because you asked, so mind where it goes.`,
		Example: `  authdeck export curl me
  authdeck export curl me --reveal | sh`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Saved = args[0]
			return runExportCurl(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Reveal, "reveal", false, "put the real credential and secret variables in the command")
	cmd.Flags().BoolVar(&opts.OneLine, "one-line", false, "print the command on one line")
	cmd.ValidArgsFunction = a.completeCatalogNames(true)
	return cmd
}

// openExportOutput opens path for an export (0600, never overwriting an
// existing file); nil means stdout.
func openExportOutput(path string) (*os.File, error) {
	if path == "" || path == "-" {
		return nil, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, exitWith(exitOther, "-o: %v", unwrapPathError(err))
	}
	return f, nil
}

// writeExport writes data to f (closing it) or, when f is nil, to stdout.
func (a *App) writeExport(f *os.File, data []byte) error {
	if f == nil {
		_, err := a.IO.Out.Write(data)
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(a.IO.Err, "authdeck: wrote %s (mode 0600)\n", f.Name())
	return nil
}

func (a *App) printExportNotes(notes []interchange.Note) {
	for _, n := range notes {
		fmt.Fprintf(a.IO.Err, "authdeck: %s: %s\n", n.Kind, termsafe.Line(n.String()))
	}
}

// runExportCurl prints a saved request as a curl command line, its
// credential masked unless --reveal.
func runExportCurl(ctx context.Context, opts *exportCurlOptions) error {
	a := opts.App
	v, env, saved, err := a.savedRequest(opts.Saved)
	if err != nil {
		return err
	}
	ui := a.newFlowUI(false, false)
	s := a.engineSet(v).Sender
	s.Callbacks = ui.callbacks()
	p, err := s.Prepare(ctx, env, request.SpecFromSaved(saved), opts.Reveal)
	if err != nil {
		return requestFailure(err)
	}
	for _, w := range p.Warnings {
		fmt.Fprintf(opts.IO.Err, "authdeck: warning: %s\n", w)
	}
	fmt.Fprintln(opts.IO.Out, p.Curl(!opts.OneLine))
	return nil
}

func newExportPostmanEnvCmd(a *App) *cobra.Command {
	var withSecrets bool
	var output string
	cmd := &cobra.Command{
		Use:   "postman-env [ENV]",
		Short: "Print an environment as a Postman environment (secret values left out unless --with-secrets)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runExport(cmd.Context(), args, output, withSecrets, func(ctx context.Context, v *vault.Vault, env string) ([]byte, []interchange.Note, error) {
				return interchange.ExportPostmanEnv(ctx, v, env, withSecrets)
			})
		},
	}
	cmd.Flags().BoolVar(&withSecrets, "with-secrets", false, "include the values of secret variables")
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to this file (mode 0600; never overwritten) instead of stdout")
	return cmd
}

func newExportPostmanCmd(a *App) *cobra.Command {
	var folder, output string
	cmd := &cobra.Command{
		Use:   "postman",
		Short: "Print the environment's saved requests as a Postman collection v2.1 (credentials as {{variables}}, never values)",
		Long: `Print the saved requests of the environment (--env, default the active one)
as a Postman collection v2.1.0: folders as folders, each request's method,
URL (query parameters and {{variable}} path segments as Postman's :path
variables), headers (disabled ones kept, disabled) and body (raw with its
language, urlencoded, form-data with file fields, GraphQL, file).

The credential each request uses becomes a Postman auth block (API key,
basic, bearer, OAuth 2.0, OAuth 1.0) whose secret parts are {{variables}}:
no secret value is ever written, and the vault is not read. The notes on
stderr name each variable to set in a Postman environment and what has no
Postman equivalent. Plain environment variables become collection
variables; secret ones are left out (export them with
'authdeck export postman-env --with-secrets').`,
		Example: `  authdeck export postman -o api.postman_collection.json
  authdeck export postman --env staging --folder Payments/Refunds`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var path []string
			if cmd.Flags().Changed("folder") {
				if path = interchange.ParseFolderPath(folder); len(path) == 0 {
					return exitWith(exitMissingInput, "--folder: name a folder (FOLDER or FOLDER/SUBFOLDER)")
				}
			}
			return a.runExport(cmd.Context(), nil, output, false, func(ctx context.Context, v *vault.Vault, env string) ([]byte, []interchange.Note, error) {
				return interchange.ExportPostman(ctx, v, interchange.PostmanExportOptions{Env: env, Folder: path})
			})
		},
	}
	cmd.Flags().StringVar(&folder, "folder", "", "export only the requests filed under this folder (FOLDER/SUBFOLDER)")
	_ = cmd.RegisterFlagCompletionFunc("folder", a.completeFolders)
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to this file (mode 0600; never overwritten) instead of stdout")
	return cmd
}

func newExportSecretsCmd(a *App) *cobra.Command {
	var withSecrets bool
	var output string
	cmd := &cobra.Command{
		Use:   "secrets",
		Short: "Print the environment's secrets and auth clients as secret-service JSON (values left out unless --with-secrets)",
		Long: `Print the secrets and auth clients of the environment as an array of
reference secret-service items ({"data": {…}}), which 'authdeck secret
import' reads back. Keys, passphrases, tokens, client secrets and session
input fields are left out unless --with-secrets. Private keys and client
certificates have no place in the format and are never exported.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runExport(cmd.Context(), nil, output, withSecrets, func(ctx context.Context, v *vault.Vault, env string) ([]byte, []interchange.Note, error) {
				return interchange.ExportSecretService(ctx, v, env, withSecrets)
			})
		},
	}
	cmd.Flags().BoolVar(&withSecrets, "with-secrets", false, "include the secret values")
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to this file (mode 0600; never overwritten) instead of stdout")
	return cmd
}

func (a *App) runExport(ctx context.Context, args []string, output string, withSecrets bool, export func(context.Context, *vault.Vault, string) ([]byte, []interchange.Note, error)) error {
	v, c, env, err := a.workspace()
	if err != nil {
		return err
	}
	if len(args) == 1 {
		if _, ok := c.Env(args[0]); !ok {
			return &vault.NotFoundError{Kind: "environment", Name: args[0]}
		}
		env = args[0]
	}
	f, err := openExportOutput(output)
	if err != nil {
		return err
	}
	data, notes, err := export(ctx, v, env)
	if err != nil {
		if f != nil {
			f.Close()
			os.Remove(f.Name())
		}
		return err
	}
	if withSecrets && f == nil && a.IO.OutTTY {
		fmt.Fprintln(a.IO.Err, "authdeck: warning: the output holds secret values")
	}
	a.printExportNotes(notes)
	return a.writeExport(f, data)
}

// completeFolders completes --folder with the folder paths of the
// environment's saved requests.
func (a *App) completeFolders(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	c, env, ok := a.completionEnv()
	if !ok {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	seen := map[string]bool{}
	var out []cobra.Completion
	for _, r := range c.RequestsIn(env) {
		for i := range r.Folder {
			p := strings.Join(r.Folder[:i+1], "/")
			if !seen[p] && strings.HasPrefix(p, toComplete) {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}
