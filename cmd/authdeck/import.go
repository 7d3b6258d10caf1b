package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
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
           absolute here; -d @file sent without its line breaks, as curl
           does); shell variables and substitutions are named in the
           report, never run)
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
           2.0 settings as auth clients (folder authentication inherited);
           the scripts of requests and folders are listed as skipped

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
Either everything is imported or nothing is; --dry-run shows the plan.

In the TUI, i on the browse screen imports the same files (the format is
detected, or chosen) with the same report before anything is stored, and a
curl command pasted into the request console's URL field fills the request,
its credentials stored as import curl stores them.`,
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
	f := interchange.Format(format)
	if format == "rest" {
		f = interchange.FormatHTTP
	}
	if f == interchange.FormatSecretService || !slices.Contains(interchange.Formats, f) {
		return exitWith(exitOther, "unknown import format %q (postman, curl, http, openapi, insomnia or bruno)", format)
	}
	file = interchange.ImportFile(f, file)
	v, c, err := a.catalog()
	if err != nil {
		return err
	}
	data, err := a.readFileArg("FILE", file, maxImportFile)
	if err != nil {
		return err
	}
	in := interchange.ImportInput{
		Format: f, Path: file, Data: data, Env: a.envName(), Name: o.name,
		Active: func() (string, error) { return a.Env(c) },
	}
	if wd, err := os.Getwd(); err == nil {
		// Files a curl command reads (-F @file, -T, -d @file) are where it
		// would run: here. The saved request keeps their absolute path.
		in.BaseDir = wd
	}
	plan, err := interchange.PlanImport(ctx, v, c, in)
	if ie := (*interchange.ImportError)(nil); errors.As(err, &ie) {
		printProblems(a.IO.Err, sourceName(file), ie)
		return exitWith(importExitCode(ie), "%s: nothing was imported (%d problem%s)", sourceName(file), len(ie.Problems), plural(len(ie.Problems)))
	}
	if err != nil {
		return err
	}
	if !o.dryRun {
		if _, err := plan.Apply(ctx, v); err != nil {
			return err
		}
	}
	a.printRequestImport(plan, v.Backend(), o.dryRun)
	if !o.dryRun && len(plan.Batch.Requests) > 0 && in.Env == "" {
		// The files beside an .http file chose an environment that is not
		// the active one: say how to reach the requests, or 'send' would
		// not find them.
		if active, err := a.Env(c); err == nil && active != plan.Env {
			fmt.Fprintf(a.IO.Out, "The requests are in environment %s, not in the active one (%s): send them with --env %s, or make it the active one with 'authdeck env use %s'.\n",
				termsafe.Line(strconv.Quote(plan.Env)), termsafe.Line(strconv.Quote(active)), termsafe.Line(interchange.ShellQuote(plan.Env)), termsafe.Line(interchange.ShellQuote(plan.Env)))
		}
	}
	return nil
}

// sourceName is how a report names the file: "stdin" for "-".
func sourceName(file string) string {
	if file == "-" {
		return "stdin"
	}
	return file
}

// printRequestImport writes the import report: what was created, what went
// to the vault, what was skipped and why. It names values, never shows them.
func (a *App) printRequestImport(plan *interchange.ImportPlan, backend string, dryRun bool) {
	w := a.IO.Out
	fmt.Fprintln(w, plan.Summary(dryRun))
	marks := map[interchange.NoteKind][2]string{
		interchange.NoteCreated: {"+", sgrGreen},
		interchange.NoteStored:  {"*", sgrGreen},
		interchange.NoteSkipped: {"-", sgrDim},
		interchange.NoteWarning: {"!", sgrYellow},
	}
	for _, s := range interchange.ReportSections(plan.Notes, vault.BackendLabel(backend)) {
		fmt.Fprintln(w, s.Title)
		mark := marks[s.Kind]
		for _, l := range s.Lines {
			fmt.Fprintf(w, "  %s %s\n", a.paint(mark[1], mark[0]), termsafe.Line(strings.ReplaceAll(l, "\n", " ")))
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
