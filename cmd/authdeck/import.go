package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/interchange"
	"github.com/authdeck/authdeck/vault/termsafe"
)

type importOptions struct {
	dryRun bool
	name   string
}

func newImportCmd(a *App) *cobra.Command {
	o := &importOptions{}
	cmd := &cobra.Command{
		Use:   "import postman|curl|http|openapi|insomnia|bruno FILE|DIR|-",
		Short: "Import requests (Postman, curl command lines, .http files, OpenAPI, Insomnia, Bruno) without leaving secrets in the catalog",
		Long: `Import saved requests into the environment (--env, else the active one):

  postman  a Postman collection (v2.1; folders kept as folders, requests
           with their disabled headers and query parameters kept disabled,
           raw, urlencoded, formdata (files by path, read when sent), file
           and graphql bodies, variables, and the bearer, basic, apikey,
           oauth2, digest and awsv4 auth blocks; scripts and saved examples
           are listed as skipped) or a Postman environment (its variables;
           without --env it creates an environment named after the file's)
  curl     curl command lines, as "Copy as cURL" gives them (quotes, line
           continuations, $'…', several commands and URLs, -H, -d/--data*,
           --json, -u, -X, --url, -G, -k, -b, -F (multipart; files by path),
           -T and -d @file (files read when sent, relative paths made
           absolute here); shell variables and substitutions are named in
           the report, never run)
  http     .http / .rest files (JetBrains HTTP Client, VS Code REST Client:
           ### separators, @var = value anywhere, {{var}}, # @name, request
           lines without a host (GET /path + Host:), "< file" bodies;
           scripts are listed as skipped). The environments of the
           http-client.env.json and http-client.private.env.json beside it
           (private values to the vault) and of REST Client's settings
           (.vscode/settings.json) are imported with it; without --env the
           requests go to the active environment if those files define it,
           else to their first one. Given an environment file instead, it
           imports its environments only.

  openapi  an OpenAPI 3.0 or 3.1 document (JSON or YAML; local $refs only):
           the first server becomes baseUrl, each operation a request in
           the folder of its tag, with its example parameters and body;
           oauth2 (authorization code; implicit or password, opted into as
           retired flows, when that is all the API offers) and
           openIdConnect schemes become auth clients (set their client id
           with 'authdeck client edit'),
           apiKey, bearer and basic schemes empty secret variables to fill

  insomnia an Insomnia v4 export (JSON or YAML): requests in their folders,
           the base environment (with the first sub-environment) into the
           environment, every sub-environment as an environment of its own,
           bearer, basic, digest, API key and AWS IAM authentication, OAuth
           2.0 settings as auth clients (folder authentication inherited)

  bruno    a Bruno collection: its folder (or its bruno.json) with the
           .bru request files in their folders, the headers and auth of
           collection.bru and folder.bru inherited as Bruno does, and
           environments/*.bru (the first, by name, into the environment,
           each as an environment of its own; vars:secret names secret
           variables, whose values Bruno keeps outside the collection: set
           them); {{process.env.NAME}} becomes {{$processEnv NAME}}; one
           .bru file imports that request alone. Scripts, tests and
           assertions are listed as skipped

System variables — {{$guid}}, {{$timestamp}}, {{$randomInt 1 10}},
{{$datetime iso8601}}, {{$processEnv NAME}}, {{$dotenv NAME}} (./.env),
Postman's {{$randomEmail}} and the rest — are made when a request is sent,
never stored.

Imports are secret-aware: values that look secret — variables whose names
contain secret, password, token, key, auth, credential; Bearer and Basic
values; Authorization, cookie and API key headers; long random-looking
strings — go to the vault as secret variables or secrets, and the requests
refer to them. Nothing secret is written to the catalog. The report lists
what was created, what went to the vault and what was skipped, and why.
Either everything is imported or nothing is; --dry-run shows the plan.`,
		Example: `  authdeck import postman "Acme API.postman_collection.json"
  authdeck import postman staging.postman_environment.json
  pbpaste | authdeck import curl - --name "create order"
  authdeck import http api.http --env dev --dry-run
  authdeck import http http-client.env.json
  authdeck import openapi openapi.yaml --env staging
  authdeck import bruno ./acme-collection`,
		Args:      cobra.ExactArgs(2),
		ValidArgs: []cobra.Completion{"postman", "curl", "http", "openapi", "insomnia", "bruno"},
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runImport(cmd.Context(), args[0], args[1], o)
		},
	}
	cmd.Flags().BoolVar(&o.dryRun, "dry-run", false, "check the file and print what would be imported; store nothing")
	cmd.Flags().StringVar(&o.name, "name", "", "curl: the name of the imported request (several get 2, 3 …)")
	return cmd
}

// runImport imports a file of requests (and environments) in format, all
// of it or, on any problem, nothing.
func (a *App) runImport(ctx context.Context, format, file string, o *importOptions) error {
	parse, file, err := importParser(format, file)
	if err != nil {
		return err
	}
	v, c, err := a.catalog()
	if err != nil {
		return err
	}
	data, err := a.readFileArg("FILE", file, maxImportFile)
	if err != nil {
		return err
	}
	env, fileEnvs, err := a.importEnv(c, format, file, data)
	if err != nil {
		return err
	}
	if env != "" && !slices.Contains(fileEnvs, env) {
		if _, ok := c.Env(env); !ok {
			return &vault.NotFoundError{Kind: "environment", Name: env}
		}
	}
	opts, err := importOptionsFor(ctx, v, c, env, file, o.name)
	if err != nil {
		return err
	}
	source := file
	if source == "-" {
		source = "stdin"
	}
	b, notes, err := parse(data, opts)
	var ie *interchange.ImportError
	if errors.As(err, &ie) {
		printProblems(a.IO.Err, source, ie)
		return exitWith(importExitCode(ie), "%s: nothing was imported (%d problem%s)", source, len(ie.Problems), plural(len(ie.Problems)))
	}
	if err != nil {
		return fmt.Errorf("%s: nothing was imported: %w", source, err)
	}
	if !o.dryRun && !b.Empty() {
		if _, err := v.Apply(ctx, b); err != nil {
			return fmt.Errorf("%s: nothing was imported: %w", source, err)
		}
	}
	a.printRequestImport(notes, b, source, importTarget(env, b), v.Backend(), o.dryRun)
	return nil
}

// importParser returns the parser of format and the file it reads: a
// Bruno collection is a folder, whose bruno.json is read.
func importParser(format, file string) (func([]byte, interchange.RequestImportOptions) (vault.Batch, []interchange.Note, error), string, error) {
	switch format {
	case "postman":
		return interchange.ParsePostman, file, nil
	case "curl":
		return interchange.ParseCurl, file, nil
	case "http", "rest":
		return interchange.ParseHTTPFile, file, nil
	case "openapi":
		return interchange.ParseOpenAPI, file, nil
	case "insomnia":
		return interchange.ParseInsomnia, file, nil
	case "bruno":
		if file != "-" {
			if st, err := os.Stat(file); err == nil && st.IsDir() {
				file = filepath.Join(file, interchange.BrunoCollectionFile)
			}
		}
		return interchange.ParseBruno, file, nil
	}
	return nil, file, exitWith(exitOther, "unknown import format %q (postman, curl, http, openapi, insomnia or bruno)", format)
}

// importEnv picks the environment an import goes to, and returns the
// environments an .http file's environment files beside it define.
//
// A Postman environment file creates an environment of its own name
// unless one was chosen; an .http environment file creates its own
// environments; an .http file with environment files beside it goes to
// the active environment if they define it, else to their first one
// (created if missing); everything else goes to the active environment.
func (a *App) importEnv(c *vault.Catalog, format, file string, data []byte) (string, []string, error) {
	env := a.envName()
	isHTTP := format == "http" || format == "rest"
	var fileEnvs []string
	if isHTTP && file != "-" {
		fileEnvs = interchange.HTTPEnvNames(file)
	}
	switch {
	case env != "":
	case format == "postman" && isPostmanEnvironment(data):
	case isHTTP && isJSONObject(data):
	case len(fileEnvs) > 0:
		if active, err := a.Env(c); err == nil && slices.Contains(fileEnvs, active) {
			env = active
		}
	default:
		var err error
		if env, err = a.Env(c); err != nil {
			return "", nil, err
		}
	}
	return env, fileEnvs, nil
}

// importOptionsFor are the parser's options: the environment, the folder
// a curl command's files are read from, the file's path, and the values
// of env's secret variables (so a value found again reuses its variable).
func importOptionsFor(ctx context.Context, v *vault.Vault, c *vault.Catalog, env, file, name string) (interchange.RequestImportOptions, error) {
	opts := interchange.RequestImportOptions{Env: env, Catalog: c, Name: name}
	if wd, err := os.Getwd(); err == nil {
		// Files a curl command reads (-F @file, -T, -d @file) are where it
		// would run: here. The saved request keeps their absolute path.
		opts.BaseDir = wd
	}
	if file != "-" {
		opts.Path = file
	}
	if e, ok := c.Env(env); ok && e.HasSecretVars() {
		var err error
		if opts.Values, err = v.Vars(ctx, env); err != nil {
			return opts, err
		}
	}
	return opts, nil
}

// importTarget is the environment the report names: the chosen one, else
// the one the file created.
func importTarget(env string, b vault.Batch) string {
	if env == "" && len(b.Requests) > 0 {
		env = b.Requests[0].Env
	}
	if env == "" && len(b.Envs) > 0 {
		env = b.Envs[0].Name
	}
	return env
}

// isJSONObject reports a document that starts as a JSON object.
func isJSONObject(data []byte) bool {
	t := bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	return len(t) > 0 && t[0] == '{'
}

// isPostmanEnvironment reports a Postman environment file ("values", no "item").
func isPostmanEnvironment(data []byte) bool {
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil {
		return false
	}
	_, values := top["values"]
	_, items := top["item"]
	return values && !items
}

// printRequestImport writes the import report: what was created, what went
// to the vault, what was skipped and why. It names values, never shows them.
func (a *App) printRequestImport(notes []interchange.Note, b vault.Batch, source, env, backend string, dryRun bool) {
	w := a.IO.Out
	verb := "Imported"
	if dryRun {
		verb = "Would import"
	}
	secretVars := 0
	for _, vars := range b.SecretVars {
		secretVars += len(vars)
	}
	plainVars := 0
	for _, vars := range b.Vars {
		plainVars += len(vars)
	}
	fmt.Fprintf(w, "%s from %s into environment %q: %d request%s, %d variable%s, %d secret variable%s, %d secret%s, %d auth client%s.\n",
		verb, source, env, len(b.Requests), plural(len(b.Requests)), plainVars, plural(plainVars), secretVars, plural(secretVars),
		len(b.Secrets), plural(len(b.Secrets)), len(b.Clients), plural(len(b.Clients)))
	sections := []struct {
		kind  interchange.NoteKind
		title string
		mark  string
		code  string
	}{
		{interchange.NoteCreated, "Created:", "+", sgrGreen},
		{interchange.NoteStored, "To the " + vault.BackendLabel(backend) + " vault (values are not shown):", "*", sgrGreen},
		{interchange.NoteSkipped, "Skipped:", "-", sgrDim},
		{interchange.NoteWarning, "Warnings:", "!", sgrYellow},
	}
	for _, s := range sections {
		var lines []string
		for _, n := range notes {
			if n.Kind == s.kind {
				lines = append(lines, n.String())
			}
		}
		if len(lines) == 0 {
			continue
		}
		fmt.Fprintln(w, s.title)
		for _, l := range lines {
			fmt.Fprintf(w, "  %s %s\n", a.paint(s.code, s.mark), termsafe.Line(strings.ReplaceAll(l, "\n", " ")))
		}
	}
	if dryRun {
		fmt.Fprintln(w, "Nothing was stored (--dry-run).")
	}
}

// printProblems prints the problems of a refused import, one a line, the
// first interchange.ShownProblems of them and then how many more there are.
func printProblems(w io.Writer, source string, ie *interchange.ImportError) {
	src := termsafe.Line(source)
	for i, p := range ie.Problems {
		if i == interchange.ShownProblems {
			fmt.Fprintf(w, "authdeck: %s: and %d more problems (the first %d are shown)\n", src, len(ie.Problems)-i, i)
			return
		}
		fmt.Fprintf(w, "authdeck: %s: %s\n", src, termsafe.Line(p.String()))
	}
}
