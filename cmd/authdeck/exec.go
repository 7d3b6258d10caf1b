package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/interchange"
	"github.com/authdeck/authdeck/vault/lazyre"
)

// envVarName is a portable environment variable name.
var envVarName = lazyre.New(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Exit codes of exec when the command cannot run, as shells use them.
const (
	exitCannotExecute = 126
	exitNotFound      = 127
)

// execOptions are the inputs of `exec`.
type execOptions struct {
	App *App
	IO  IOStreams
	// Name is the credential; Command is CMD and its arguments.
	Name               string
	Command            []string
	EnvVar             string
	Scopes             []string
	NoBrowser, Verbose bool
}

func newExecCmd(a *App) *cobra.Command { return newExecCmdWith(a, nil) }

// newExecCmdWith is `exec`; runF runs it (nil: runExec).
func newExecCmdWith(a *App, runF func(context.Context, *execOptions) error) *cobra.Command {
	opts := &execOptions{App: a, IO: a.IO}
	if runF == nil {
		runF = runExec
	}
	cmd := &cobra.Command{
		Use:   "exec NAME [--env-var VAR] -- CMD [ARGS...]",
		Short: "Run a command with a fresh access token in an environment variable",
		Long: `Run CMD with a fresh access token for NAME in the environment variable VAR
(default AUTHDECK_TOKEN). The token is never put in CMD's arguments; CMD's
exit code is passed through. Standard input, output and error belong to CMD;
authdeck's own messages go to stderr.

` + tokenNaming,
		Example: `  authdeck exec api -- sh -c 'curl -H "Authorization: Bearer $AUTHDECK_TOKEN" https://api.example.com/me'
  authdeck exec api --env-var GITHUB_TOKEN -- gh api user`,
		Args: func(cmd *cobra.Command, args []string) error {
			dash := cmd.ArgsLenAtDash()
			if len(args) < 2 || dash != 1 {
				return exitWith(exitOther, "usage: authdeck exec NAME [--env-var VAR] -- CMD [ARGS...]")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name, opts.Command = args[0], args[1:]
			return runF(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.EnvVar, "env-var", "AUTHDECK_TOKEN", "environment variable that receives the access token")
	f.StringArrayVar(&opts.Scopes, "scope", nil, "scopes to ask for instead of the client's")
	f.BoolVar(&opts.NoBrowser, "no-browser", false, "do not open a browser if a sign-in is needed; print the URL instead")
	f.BoolVarP(&opts.Verbose, "verbose", "v", false, "print the flow's transcript (secrets redacted) on stderr")
	return cmd
}

// runExec gets a token for the credential and runs the command with it in
// the environment variable EnvVar, passing its exit code through.
func runExec(ctx context.Context, opts *execOptions) error {
	a := opts.App
	if !envVarName.MatchString(opts.EnvVar) {
		return exitWith(exitOther, "--env-var %q is not a valid environment variable name (letters, digits and _, not starting with a digit)", opts.EnvVar)
	}
	v, err := a.storeVault()
	if err != nil {
		return err
	}
	// stdin belongs to CMD, so no paste fallback here.
	ui := a.newFlowUI(opts.Verbose, false)
	ui.qr = opts.NoBrowser
	cat, err := v.Load()
	if err != nil {
		return err
	}
	cred, err := vault.Resolve(cat, a.envName(), opts.Name, vault.ForToken)
	if err != nil {
		return err
	}
	if cred.Protocol == vault.ProtocolOAuth1 {
		return exitWith(exitNotConfigured, "%q is OAuth 1.0a credentials, which sign each request and have no bearer token to put in $%s; send requests with 'authdeck request METHOD URL --auth %s'",
			opts.Name, opts.EnvVar, interchange.ShellQuote(opts.Name))
	}
	tr := oauth.NewTranscript()
	req := oauth.TokenRequest{Env: cred.Env, Name: opts.Name, Scopes: splitScopeFlags(opts.Scopes), NoBrowser: opts.NoBrowser, Transcript: tr, Credential: cred}
	r, err := a.engineSet(v).Engine.Token(ctx, req, ui.callbacks())
	ui.printTranscript(tr)
	if err != nil {
		return oauthFailure(err)
	}
	return a.runWithToken(opts.Command[0], opts.Command[1:], opts.EnvVar, r.AccessToken)
}

// childEnv is the environment of CMD: authdeck's own, without the file
// vault's passphrase (CMD needs the token, not the vault), with VAR=token
// replacing any VAR already set (S-33: the token travels only here).
func childEnv(parent []string, envVar, token string) []string {
	base := vault.ChildEnv(parent)
	out := make([]string, 0, len(base)+1)
	for _, kv := range base {
		if k, _, _ := strings.Cut(kv, "="); k != envVar {
			out = append(out, kv)
		}
	}
	return append(out, envVar+"="+token)
}

// runWithToken runs name with args, passing signals on and its exit code back.
func (a *App) runWithToken(name string, args []string, envVar, token string) error {
	c := exec.Command(name, args...) //nolint:gosec // G204: running the command the user named is what authdeck exec is for
	c.Env = childEnv(os.Environ(), envVar, token)
	c.Stdin, c.Stdout, c.Stderr = a.IO.In, a.IO.Out, a.IO.Err
	if err := c.Start(); err != nil {
		switch {
		case errors.Is(err, exec.ErrNotFound), errors.Is(err, os.ErrNotExist):
			return exitWith(exitNotFound, "exec: %s: command not found", name)
		case errors.Is(err, os.ErrPermission):
			return exitWith(exitCannotExecute, "exec: %s: permission denied", name)
		}
		return exitWith(exitCannotExecute, "exec: %s: %v", name, err)
	}
	// A terminal's Ctrl-C reaches the whole process group; signals sent to
	// authdeck alone are passed on so CMD can clean up itself.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	for {
		select {
		case s := <-sigs:
			_ = c.Process.Signal(s)
		case err := <-done:
			return childExit(name, c.ProcessState, err)
		}
	}
}

// childExit maps CMD's end to authdeck's exit: its own code, or 128 + the
// signal that killed it, as shells report it.
func childExit(name string, ps *os.ProcessState, err error) error {
	if ps == nil {
		return exitWith(exitOther, "exec: %s: %v", name, err)
	}
	if code := ps.ExitCode(); code >= 0 {
		if code == 0 {
			return nil
		}
		return &exitError{code: code}
	}
	if ws, ok := ps.Sys().(interface {
		Signaled() bool
		Signal() syscall.Signal
	}); ok && ws.Signaled() {
		return &exitError{code: 128 + int(ws.Signal()), msg: fmt.Sprintf("exec: %s was killed by %s", name, ws.Signal())}
	}
	return exitWith(exitOther, "exec: %s ended abnormally: %v", name, err)
}
