package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/interchange"
)

func init() { register(newExecCmd) }

// envVarName is a portable environment variable name.
var envVarName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Exit codes of exec when the command cannot run, as shells use them.
const (
	exitCannotExecute = 126
	exitNotFound      = 127
)

func newExecCmd(a *App) *cobra.Command {
	var envVar string
	var scopes []string
	var noBrowser, verbose bool
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
			if !envVarName.MatchString(envVar) {
				return exitWith(exitOther, "--env-var %q is not a valid environment variable name (letters, digits and _, not starting with a digit)", envVar)
			}
			v, err := a.Vault()
			if err != nil {
				return err
			}
			// stdin belongs to CMD, so no paste fallback here.
			ui := a.newFlowUI(verbose, false)
			ui.qr = noBrowser
			cat, err := v.Load()
			if err != nil {
				return err
			}
			cred, err := vault.Resolve(cat, a.envName(), args[0], vault.ForToken)
			if err != nil {
				return err
			}
			if cred.Protocol == vault.ProtocolOAuth1 {
				return exitWith(exitNotConfigured, "%q is OAuth 1.0a credentials, which sign each request and have no bearer token to put in $%s; send requests with 'authdeck request METHOD URL --auth %s'",
					args[0], envVar, interchange.ShellQuote(args[0]))
			}
			tr := oauth.NewTranscript()
			req := oauth.TokenRequest{Env: cred.Env, Name: args[0], Scopes: splitScopeFlags(scopes), NoBrowser: noBrowser, Transcript: tr, Credential: cred}
			r, err := a.engineSet(v).Engine.Token(cmd.Context(), req, ui.callbacks())
			ui.printTranscript(tr)
			if err != nil {
				return oauthFailure(err)
			}
			return a.runWithToken(args[1], args[2:], envVar, r.AccessToken)
		},
	}
	f := cmd.Flags()
	f.StringVar(&envVar, "env-var", "AUTHDECK_TOKEN", "environment variable that receives the access token")
	f.StringArrayVar(&scopes, "scope", nil, "scopes to ask for instead of the client's")
	f.BoolVar(&noBrowser, "no-browser", false, "do not open a browser if a sign-in is needed; print the URL instead")
	f.BoolVarP(&verbose, "verbose", "v", false, "print the flow's transcript (secrets redacted) on stderr")
	return cmd
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
