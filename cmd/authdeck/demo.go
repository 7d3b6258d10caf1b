package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/authdeck/authdeck/oauth/engines"
	"github.com/authdeck/authdeck/oauth/playground"
	"github.com/authdeck/authdeck/oauth/playground/demo"
	"github.com/authdeck/authdeck/oauth/playground/oauth1demo"
	"github.com/authdeck/authdeck/ui"
	"github.com/authdeck/authdeck/vault"
)

// demoOptions are the inputs of `demo`.
type demoOptions struct {
	App *App
	IO  IOStreams
	// Serve runs only the servers; SummaryFile also gets their summary.
	Serve       bool
	SummaryFile string
}

func newDemoCmd(a *App) *cobra.Command { return newDemoCmdWith(a, nil) }

// newDemoCmdWith is `demo`; runF runs it (nil: runDemo).
func newDemoCmdWith(a *App, runF func(context.Context, *demoOptions) error) *cobra.Command {
	opts := &demoOptions{App: a, IO: a.IO}
	if runF == nil {
		runF = runDemo
	}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the playground: a local OpenID provider, an OAuth 1.0a provider, a demo API and the TUI on a demo workspace",
		Long: `demo starts the playground — an OpenID provider, an OAuth 1.0a provider and
a protected demo API on loopback ports — builds a demo workspace in memory
(environments dev and staging, an auth client for every grant and client
authentication method, two OAuth 1.0a consumers (HMAC-SHA1 and RSA-SHA256),
an API key, a basic secret, saved requests) and opens the TUI on it. Nothing
is written to disk or to your keychain; credentials are generated at every
start. The demo user is demo / demo on both providers.

With --serve only the servers run: their URLs and the demo credentials are
printed, and they stay up until interrupted (Ctrl-C).`,
		Example: `  authdeck demo
  authdeck demo --serve`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runF(cmd.Context(), opts) },
	}
	cmd.Flags().BoolVar(&opts.Serve, "serve", false, "only run the provider and the API; print their URLs and credentials")
	cmd.Flags().StringVar(&opts.SummaryFile, "summary-file", "", "also write the URLs and this run's throwaway credentials to `FILE` (mode 0600), for scripts")
	return cmd
}

// runDemo starts the playground and opens the TUI on a demo workspace in
// memory, or with Serve prints the servers' summary and serves until
// interrupted.
func runDemo(ctx context.Context, opts *demoOptions) error {
	a := opts.App
	logger, closeLog, err := tuiLogger(a.Getenv("AUTHDECK_LOG"))
	if err != nil {
		return err
	}
	defer closeLog()
	// The provider library logs through the default loggers (every
	// route it registers, every request it refuses). The TUI owns the
	// terminal, and --serve prints a summary meant to be read, so
	// those lines go to the log file (AUTHDECK_LOG) or nowhere.
	restore := redirectDefaultLogs(logger)
	defer restore()
	srv, err := oauth1demo.Start(ctx, playground.Config{})
	if err != nil {
		return fmt.Errorf("starting the playground: %w", err)
	}
	defer srv.Close()
	if opts.SummaryFile != "" {
		// For scripts (screenshots/capture.sh checks its captures
		// against these values): this run's throwaway credentials,
		// exactly what --serve prints, in a file only the user reads.
		if err := vault.WriteFileAtomic(opts.SummaryFile, []byte(srv.Summary())); err != nil {
			return fmt.Errorf("writing the summary: %w", err)
		}
	}
	if opts.Serve {
		// Printing the credentials is the point of --serve: they are
		// throwaway values generated for this run.
		fmt.Fprint(opts.IO.Out, srv.Summary())
		fmt.Fprintln(opts.IO.Out, "\nServing until interrupted (Ctrl-C).")
		<-ctx.Done()
		return nil
	}
	v := vault.NewMemory()
	if err := demo.Workspace(ctx, v, srv); err != nil {
		return err
	}
	cat, err := v.Load()
	if err != nil {
		return err
	}
	return runProgram(ctx, a, ui.Options{
		Vault:   v,
		Engines: a.demoEngineConfig(),
		Catalog: cat,
		Home:    a.Getenv("AUTHDECK_HOME"),
		Getenv:  a.Getenv,
		Log:     logger,
		Dark:    true,
		Banner:  fmt.Sprintf("Playground at %s (user %s / %s) · demo API %s", srv.Issuer, srv.User, srv.Password, srv.APIURL),
	})
}

// demoEngineConfig sets up the demo's engines: the injected browser opener
// (else the system's), no cross-process locks (the vault lives in memory),
// and ten minutes to sign in, since the demo is for looking around.
func (a *App) demoEngineConfig() *engines.Config {
	return &engines.Config{Opener: a.opener(), CallbackTimeout: 10 * time.Minute}
}
