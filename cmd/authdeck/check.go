package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/authdeck/authdeck/vault/workspace"
)

// checkOptions are the inputs of `authdeck check`.
type checkOptions struct {
	IO IOStreams
	// Dir is the folder to check; empty means the team workspace found.
	Dir  string
	JSON bool
	// Find finds the team workspace folder when Dir is empty.
	Find func() (string, error)
}

func newCheckCmd(a *App) *cobra.Command {
	opts := &checkOptions{}
	cmd := &cobra.Command{
		Use:   "check [DIR]",
		Short: "Find credentials that slipped into the team workspace folder (exit 1)",
		Long: `Look through every file of the team workspace folder for what it must never
hold: a literal credential in a variable, header, query parameter, body or
field (bearer and basic credentials, JWTs, vendor keys, long random strings,
values of fields named like password or token), a private key, a shared value
that is not encrypted. Files that do not read as workspace files are reported
too. Each finding is printed as FILE:LINE: what (never the value); any finding
exits 1. Nothing is changed and no vault is opened: use it in a pre-commit
hook or in CI.`,
		Example: `  authdeck check
  authdeck check path/to/authdeck --json
  # .git/hooks/pre-commit
  #!/bin/sh
  exec authdeck check`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.IO = a.IO
			if len(args) == 1 {
				opts.Dir = a.resolvePath(args[0])
			}
			opts.Find = func() (string, error) {
				ws, err := a.needTeamWorkspace()
				if err != nil {
					return "", err
				}
				return ws.Root(), nil
			}
			return runCheck(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the findings as JSON")
	return cmd
}

func runCheck(_ context.Context, opts *checkOptions) error {
	dir := opts.Dir
	if dir == "" {
		var err error
		if dir, err = opts.Find(); err != nil {
			return err
		}
	} else if root, ok, err := workspace.Find(dir); err == nil && ok {
		dir = root
	}
	findings, err := workspace.Check(dir)
	if err != nil {
		return err
	}
	if opts.JSON {
		if err := writeJSON(opts.IO.Out, struct {
			Folder   string              `json:"folder"`
			OK       bool                `json:"ok"`
			Findings []workspace.Finding `json:"findings"`
		}{dir, len(findings) == 0, emptyIfNil(findings)}); err != nil {
			return err
		}
	} else {
		for _, f := range findings {
			fmt.Fprintln(opts.IO.Out, sanitizeLine(f.String()))
		}
	}
	if len(findings) > 0 {
		return exitWith(exitOther, "%d %s in %s: move each value into the vault and commit again", len(findings), pick(len(findings), "finding", "findings"), dir)
	}
	if !opts.JSON {
		fmt.Fprintf(opts.IO.Out, "No credential found in %s.\n", dir)
	}
	return nil
}
