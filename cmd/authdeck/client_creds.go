package main

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/authdeck/authdeck/oauth/dpop"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/pemkey"
)

// credsGiven says whether any credential flag was given (--dpop makes or
// drops a DPoP key).
func (f *clientFlags) credsGiven(fs *pflag.FlagSet) bool {
	return f.secretStdin || fs.Changed("private-key-file") || fs.Changed("cert-file") || fs.Changed("cert-key-file") || f.generateKey || fs.Changed("dpop")
}

// readCreds overlays the credentials given by flags on creds, reading files
// and stdin; the auth method decides which are required (and prompts for a
// client secret on a terminal).
func (a *App) readCreds(fs *pflag.FlagSet, f *clientFlags, ac *vault.AuthClient, creds *vault.ClientCredentials) error {
	if f.secretStdin {
		s, err := a.secretInput("client secret", "--client-secret-stdin", true)
		if err != nil {
			return err
		}
		creds.ClientSecret = s
	}
	if f.generateKey && fs.Changed("private-key-file") {
		return exitWith(exitOther, "--generate-key and --private-key-file: choose one")
	}
	if fs.Changed("private-key-file") || f.generateKey {
		var pemText string
		var key any
		if f.generateKey {
			alg := ac.SigningAlg
			if alg == "" {
				alg = vault.AlgRS256
			}
			k, p, err := vault.GenerateKeyPair(alg)
			if err != nil {
				return exitWith(exitOther, "--generate-key with --signing-alg %s: use RS256, PS256 or ES256", alg)
			}
			key, pemText = k, p
		} else {
			b, err := a.readFileArg("--private-key-file", f.privateKeyFile, 64<<10)
			if err != nil {
				return err
			}
			k, err := vault.ParsePrivateKey(string(b))
			if err != nil {
				return exitWith(exitOther, "--private-key-file %s: %v", f.privateKeyFile, err)
			}
			key, pemText = k, string(b)
		}
		if ac.SigningAlg == "" || !fs.Changed("signing-alg") && !vault.KeyAlgFits(key, ac.SigningAlg) {
			ac.SigningAlg = vault.DefaultKeyAlg(key)
		}
		if !vault.KeyAlgFits(key, ac.SigningAlg) {
			return exitWith(exitOther, "--signing-alg %s does not fit the key (an %s key)", ac.SigningAlg, vault.DefaultKeyAlg(key))
		}
		creds.PrivateKey = pemText
		ac.KeyID = pemkey.Thumbprint(key)
	}
	if fs.Changed("cert-file") != fs.Changed("cert-key-file") {
		return exitWith(exitMissingInput, "--cert-file and --cert-key-file go together")
	}
	if fs.Changed("cert-file") {
		cert, err := a.readFileArg("--cert-file", f.certFile, 256<<10)
		if err != nil {
			return err
		}
		key, err := a.readFileArg("--cert-key-file", f.certKeyFile, 64<<10)
		if err != nil {
			return err
		}
		creds.Cert, creds.CertKey = string(cert), string(key)
	}
	if fs.Changed("dpop") {
		switch {
		case !f.dpop:
			ac.DPoP, ac.DPoPKeyID, creds.DPoPKey = false, "", ""
		case creds.DPoPKey == "":
			key, pemText, err := dpop.GenerateKey()
			if err != nil {
				return exitWith(exitOther, "generating the DPoP key: %v", err)
			}
			ac.DPoP, ac.DPoPKeyID, creds.DPoPKey = true, key.Thumbprint(), pemText
		default:
			// --dpop on a client that has a key keeps it: bound tokens stay usable.
			key, err := dpop.ParseKey(creds.DPoPKey)
			if err != nil {
				return exitWith(exitOther, "the stored DPoP key: %v", err)
			}
			ac.DPoP, ac.DPoPKeyID = true, key.Thumbprint()
		}
	}
	switch ac.AuthMethod {
	case vault.AuthClientSecretBasic, vault.AuthClientSecretPost, vault.AuthClientSecretJWT:
		if creds.ClientSecret == "" {
			s, err := a.secretInput("client secret", "--client-secret-stdin", false)
			if err != nil {
				return err
			}
			creds.ClientSecret = s
		}
	case vault.AuthPrivateKeyJWT:
		if creds.PrivateKey == "" {
			return exitWith(exitMissingInput, "auth client %q: private_key_jwt needs a key: --private-key-file PEM, or --generate-key (then 'authdeck client pubkey %s' prints the public key to register)", ac.Name, ac.Name)
		}
	case vault.AuthTLSClient:
		if creds.Cert == "" || creds.CertKey == "" {
			return exitWith(exitMissingInput, "auth client %q: tls_client_auth needs --cert-file and --cert-key-file", ac.Name)
		}
	case vault.AuthNone:
		if f.secretStdin {
			return exitWith(exitOther, "auth client %q: auth method none takes no client secret", ac.Name)
		}
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
func (a *App) printCredsNote(ac vault.AuthClient, creds vault.ClientCredentials, backend string) {
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
	if len(parts) > 0 {
		fmt.Fprintf(a.IO.Out, "Stored in the %s vault: %s.\n", vault.BackendLabel(backend), strings.Join(parts, ", "))
	}
}
