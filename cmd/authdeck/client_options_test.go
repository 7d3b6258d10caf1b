package main

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/spf13/cobra"

	"github.com/authdeck/authdeck/vault"
)

// errOpened fails a test whose command reached the workspace.
var errOpened = errors.New("the command opened the workspace")

// optionsApp is an App whose vault must not be opened: the verbs under test
// stop at their options.
func optionsApp() *App {
	var out, errOut bytes.Buffer
	return &App{
		IO: IOStreams{In: &bytes.Buffer{}, Out: &out, Err: &errOut, InFd: -1}, Getenv: func(string) string { return "" },
		OpenVault: func(*App) (*vault.Vault, error) { return nil, errOpened },
	}
}

// runUnder runs cmd as a subcommand of a root with the persistent --env
// flag, as the CLI does.
func runUnder(t *testing.T, a *App, cmd *cobra.Command, args ...string) {
	t.Helper()
	root := &cobra.Command{Use: "authdeck", SilenceUsage: true, SilenceErrors: true}
	root.PersistentFlags().StringVarP(&a.EnvFlag, "env", "e", "", "")
	root.AddCommand(cmd)
	root.SetArgs(append([]string{cmd.Name()}, args...))
	root.SetOut(a.IO.Out)
	root.SetErr(a.IO.Err)
	if err := root.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("%s %v: %v", cmd.Name(), args, err)
	}
}

// The client verbs' command lines become options; what runs them is
// injected, so these never touch a vault.
func TestClientCommandOptions(t *testing.T) {
	a := optionsApp()
	var add *clientOptions
	runUnder(t, a, newClientAddCmd(a, func(_ context.Context, o *clientOptions) error { add = o; return nil }),
		"api", "--issuer", "https://id.example.com", "--client-id", "my-app", "--auth-method", "none", "--scope", "read", "--scope", "write admin", "--oauth1=false")
	if add == nil || add.Name != "api" || add.Flags.issuer != "https://id.example.com" || add.Flags.clientID != "my-app" || add.Flags.oauth1 {
		t.Fatalf("add options: %+v", add)
	}
	if !add.Changed("issuer") || !add.Changed("scope") || add.Changed("token-url") || add.Changed("no-such-flag") {
		t.Fatal("Changed does not say which flags were given")
	}
	if !slices.Equal(splitList(add.Flags.scopes), []string{"read", "write", "admin"}) {
		t.Fatalf("scopes %q", add.Flags.scopes)
	}

	a = optionsApp()
	var edit *clientOptions
	runUnder(t, a, newClientEditCmd(a, func(_ context.Context, o *clientOptions) error { edit = o; return nil }), "api", "--env", "prod", "--client-secret-stdin")
	if edit == nil || edit.Given != 1 || !edit.Flags.secretStdin || a.EnvFlag != "prod" {
		t.Fatalf("edit options: given %d, %+v (env %q)", edit.Given, edit, a.EnvFlag)
	}
	if !edit.Flags.credsGiven(edit.Changed) {
		t.Fatal("--client-secret-stdin is a credential flag")
	}

	a = optionsApp()
	var show *clientShowOptions
	runUnder(t, a, newClientShowCmd(a, func(_ context.Context, o *clientShowOptions) error { show = o; return nil }), "api", "--json", "--reveal")
	if show == nil || show.Name != "api" || !show.AsJSON || !show.Reveal {
		t.Fatalf("show options: %+v", show)
	}

	a = optionsApp()
	var kg *clientKeygenOptions
	runUnder(t, a, newClientKeygenCmd(a, func(_ context.Context, o *clientKeygenOptions) error { kg = o; return nil }), "svc", "--alg", "ES256", "--set-method")
	if kg == nil || kg.Name != "svc" || kg.Alg != "ES256" || !kg.SetMethod || kg.Force || kg.Format != "both" {
		t.Fatalf("keygen options: %+v", kg)
	}
}

// The run functions write to the streams of their options, not to the
// App's: a list of no clients goes to the options' Out.
func TestClientListWritesToItsStreams(t *testing.T) {
	h := newHarness(t)
	h.must("", "env", "add", "dev")
	a := optionsApp()
	a.OpenVault = func(*App) (*vault.Vault, error) { return h.v, nil }
	var out bytes.Buffer
	opts := &clientListOptions{App: a, IO: IOStreams{In: &bytes.Buffer{}, Out: &out, Err: &out, InFd: -1}}
	if err := runClientList(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out.Bytes(), []byte("No auth clients in environment")) || a.IO.Out.(*bytes.Buffer).Len() != 0 {
		t.Fatalf("list wrote %q to its streams", out.String())
	}
}
