package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/authdeck/authdeck/oauth/clientcreds"
	"github.com/authdeck/authdeck/vault"
)

// credsGiven says whether any credential flag was given (--dpop makes or
// drops a DPoP key).
func (f *clientFlags) credsGiven(changed func(string) bool) bool {
	return f.secretStdin || changed("private-key-file") || changed("cert-file") || changed("cert-key-file") || f.generateKey || changed("dpop")
}

// readCreds overlays the credentials given by flags on creds, reading files
// and stdin, with the rules every client editor shares (clientcreds.Apply);
// then the client's method (OAuth 1.0a: its signature method) says what is
// still required, and a missing secret is prompted for on a terminal.
func readCreds(opts *clientOptions, ac *vault.AuthClient, creds *vault.ClientCredentials) error {
	g, err := givenCreds(opts, ac)
	if err != nil {
		return err
	}
	if _, err := clientcreds.Apply(ac, creds, g); err != nil {
		return credsFlagError(err, &opts.Flags, g.Generate)
	}
	return completeCreds(opts, ac, creds)
}

// secretLabel is what the client's secret is called.
func secretLabel(ac *vault.AuthClient) string {
	if ac.Type == vault.ClientOAuth1 {
		return "consumer secret"
	}
	return "client secret"
}

// givenCreds reads the credentials the flags name: the secret from stdin,
// the key and certificate files; a key to generate takes the client's
// signing algorithm (RS256 when it has none).
func givenCreds(opts *clientOptions, ac *vault.AuthClient) (clientcreds.Given, error) {
	a, f, changed := opts.App, &opts.Flags, opts.Changed
	g := clientcreds.Given{AlgChosen: changed("signing-alg")}
	if f.secretStdin {
		s, err := a.secretInput(secretLabel(ac), "--client-secret-stdin", true)
		if err != nil {
			return g, err
		}
		g.Secret = s
	}
	if f.generateKey && changed("private-key-file") {
		return g, exitWith(exitOther, "--generate-key and --private-key-file: choose one")
	}
	switch {
	case f.generateKey:
		g.Generate = ac.SigningAlg
		if g.Generate == "" {
			g.Generate = vault.AlgRS256
		}
	case changed("private-key-file"):
		b, err := a.readFileArg("--private-key-file", f.privateKeyFile, 64<<10)
		if err != nil {
			return g, err
		}
		g.Key = string(b)
	}
	if changed("cert-file") != changed("cert-key-file") {
		return g, exitWith(exitMissingInput, "--cert-file and --cert-key-file go together")
	}
	if changed("cert-file") {
		cert, err := a.readFileArg("--cert-file", f.certFile, 256<<10)
		if err != nil {
			return g, err
		}
		key, err := a.readFileArg("--cert-key-file", f.certKeyFile, 64<<10)
		if err != nil {
			return g, err
		}
		g.Cert, g.CertKey = string(cert), string(key)
	}
	if changed("dpop") {
		g.DPoP = &f.dpop
	}
	return g, nil
}

// credsFlagError words an error of clientcreds.Apply with the flag behind it.
func credsFlagError(err error, f *clientFlags, generate string) error {
	var ve *vault.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	switch {
	case ve.Field == clientcreds.FieldPrivateKey:
		return exitWith(exitOther, "--private-key-file %s: %s", f.privateKeyFile, ve.Msg)
	case ve.Field == clientcreds.FieldSigningAlg && generate != "":
		return exitWith(exitOther, "--generate-key with --signing-alg %s: use RS256, PS256 or ES256", generate)
	case ve.Field == clientcreds.FieldSigningAlg:
		return exitWith(exitOther, "--signing-alg %s", ve.Msg)
	}
	return exitWith(exitOther, "%s", ve.Msg)
}

// completeCreds asks for a secret the client needs and has not got (a
// no-echo prompt on a terminal) and refuses what is missing otherwise.
func completeCreds(opts *clientOptions, ac *vault.AuthClient, creds *vault.ClientCredentials) error {
	switch clientcreds.Missing(*ac, *creds) {
	case clientcreds.FieldClientSecret:
		s, err := opts.App.secretInput(secretLabel(ac), "--client-secret-stdin", false)
		if err != nil {
			return err
		}
		creds.ClientSecret = s
	case clientcreds.FieldPrivateKey:
		if ac.Type == vault.ClientOAuth1 {
			return exitWith(exitMissingInput, "auth client %q: %s needs --private-key-file PEM (the RSA key whose public key is registered with the provider)", ac.Name, ac.SignatureMethod)
		}
		return exitWith(exitMissingInput, "auth client %q: private_key_jwt needs a key: --private-key-file PEM, or --generate-key (then 'authdeck client pubkey %s' prints the public key to register)", ac.Name, ac.Name)
	case clientcreds.FieldCert:
		return exitWith(exitMissingInput, "auth client %q: tls_client_auth needs --cert-file and --cert-key-file", ac.Name)
	}
	if ac.Type == vault.ClientOAuth2 && ac.AuthMethod == vault.AuthNone && opts.Flags.secretStdin {
		return exitWith(exitOther, "auth client %q: auth method none takes no client secret", ac.Name)
	}
	return nil
}

// checkAuthMethod refuses a client whose grant needs client authentication
// but has none set: the method is never guessed (S-27).
func checkAuthMethod(ac *vault.AuthClient) error {
	if ac.AuthMethod == "" && ac.Grant != vault.GrantImplicit {
		return exitWith(exitMissingInput, "auth client %q: --auth-method is required for %s (client_secret_basic, client_secret_post, client_secret_jwt, private_key_jwt, none or tls_client_auth); it is never guessed", ac.Name, ac.Grant)
	}
	return nil
}

// clientNamed opens the workspace and finds the auth client named name in
// its environment.
func (a *App) clientNamed(name string) (*vault.Vault, string, vault.AuthClient, error) {
	v, _, env, err := a.workspace()
	if err != nil {
		return nil, "", vault.AuthClient{}, err
	}
	ac, err := v.Client(env, name)
	if err != nil {
		return nil, "", vault.AuthClient{}, err
	}
	return v, env, ac, nil
}

// printCredsNote says which credentials went to the vault, without values.
func printCredsNote(w io.Writer, ac vault.AuthClient, creds vault.ClientCredentials, backend string) {
	var parts []string
	if creds.ClientSecret != "" {
		if ac.Type == vault.ClientOAuth1 {
			parts = append(parts, "consumer secret")
		} else {
			parts = append(parts, "client secret")
		}
	}
	if creds.PrivateKey != "" {
		parts = append(parts, "private key (key id "+ac.KeyID+")")
	}
	if creds.Cert != "" {
		parts = append(parts, "client certificate")
	}
	if creds.DPoPKey != "" {
		parts = append(parts, "DPoP key (jkt "+ac.DPoPKeyID+")")
	}
	switch {
	case len(parts) > 0 && ac.Shared:
		fmt.Fprintf(w, "Shared with the team, encrypted in the workspace folder: %s.\n", strings.Join(parts, ", "))
	case len(parts) > 0:
		fmt.Fprintf(w, "Stored in the %s vault: %s.\n", vault.BackendLabel(backend), strings.Join(parts, ", "))
	}
}
