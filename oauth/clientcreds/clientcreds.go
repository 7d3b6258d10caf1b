// Package clientcreds prepares the credentials of an auth client from what a
// user gave — a client (or consumer) secret, a private key read or to be
// generated, a client certificate, DPoP on or off — the one way the CLI's
// `client add` and `client edit` and the TUI's client form both do it.
//
// It reads no file and prompts for nothing: callers gather the input their
// own way (flags, stdin, a form) and word the errors for their users; the
// rules of what a key means for the client live here.
package clientcreds

import (
	"crypto/rsa"
	"fmt"

	"github.com/authdeck/authdeck/oauth/dpop"
	"github.com/authdeck/authdeck/oauth/oauth1"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/keygen"
	"github.com/authdeck/authdeck/vault/pemkey"
)

// Field names of the errors Apply returns and of what Missing reports; they
// are the model's field names, as in vault.ValidationError.
const (
	FieldClientSecret = "clientSecret"
	FieldPrivateKey   = "privateKey"
	FieldSigningAlg   = "signingAlg"
	FieldCert         = "cert"
	FieldDPoPKey      = "dpopKey"
)

// Given is what a user gave for an auth client's credentials; a zero field
// was not given and leaves the stored credential as it is.
type Given struct {
	// Secret is the client secret (OAuth 1.0a: the consumer secret).
	Secret string
	// Key is a private key in PEM, read from a file or pasted.
	Key string
	// Generate names the algorithm of a key pair to make instead of Key:
	// RS256, PS256 (RSA 2048) or ES256 (EC P-256).
	Generate string
	// AlgChosen says the client's signing algorithm was chosen by the user:
	// a key it does not fit is refused. Otherwise a key the client's
	// algorithm does not fit signs with the key's usual algorithm.
	AlgChosen bool
	// Cert and CertKey are a client certificate and its key, in PEM.
	Cert, CertKey string
	// DPoP turns sender-constrained tokens on (a key is made unless one is
	// stored) or off (the key is dropped); nil leaves them as they are.
	DPoP *bool
}

// Apply lays g over creds and records on ac what the new credentials imply:
// the key id (RFC 7638 thumbprint) and signing algorithm of a private key,
// the DPoP key's thumbprint. It returns the new private key, or nil when g
// holds none; its public half is what the provider registers.
//
// For an OAuth 1.0a client a private key must be RSA (RSA-SHA1 and
// RSA-SHA256 sign with it); its signature method is left as it is.
//
// Errors are *vault.ValidationError naming the field (FieldPrivateKey,
// FieldSigningAlg, FieldDPoPKey) and never quote a secret or a key; on
// error ac and creds may be partly changed and are to be discarded.
func Apply(ac *vault.AuthClient, creds *vault.ClientCredentials, g Given) (any, error) {
	fail := func(field, msg string) error {
		return &vault.ValidationError{Kind: "auth client", Name: ac.Name, Field: field, Msg: msg}
	}
	if g.Secret != "" {
		creds.ClientSecret = g.Secret
	}
	key, err := newKey(ac, creds, g, fail)
	if err != nil {
		return nil, err
	}
	if g.Cert != "" || g.CertKey != "" {
		creds.Cert, creds.CertKey = g.Cert, g.CertKey
	}
	if g.DPoP != nil {
		if err := setDPoP(ac, creds, *g.DPoP, fail); err != nil {
			return nil, err
		}
	}
	return key, nil
}

// newKey makes or parses the private key g gives, stores it in creds and
// sets ac's key id and (for OAuth 2.0) signing algorithm.
func newKey(ac *vault.AuthClient, creds *vault.ClientCredentials, g Given, fail func(field, msg string) error) (any, error) {
	var key any
	var pemText string
	switch {
	case g.Generate != "":
		k, p, err := keygen.KeyPair(g.Generate)
		if err != nil {
			return nil, fail(FieldSigningAlg, "use RS256, PS256 or ES256")
		}
		key, pemText = k, p
	case g.Key != "":
		k, err := vault.ParsePrivateKey(g.Key)
		if err != nil {
			return nil, fail(FieldPrivateKey, err.Error())
		}
		key, pemText = k, g.Key
	default:
		return nil, nil
	}
	if ac.Type == vault.ClientOAuth1 {
		if _, ok := key.(*rsa.PrivateKey); !ok {
			return nil, fail(FieldPrivateKey, "OAuth 1.0a RSA signatures need an RSA key, not an EC key")
		}
	} else {
		if g.Generate != "" {
			ac.SigningAlg = g.Generate
		}
		if ac.SigningAlg == "" || !g.AlgChosen && !keygen.AlgFits(key, ac.SigningAlg) {
			ac.SigningAlg = keygen.DefaultAlg(key)
		}
		if !keygen.AlgFits(key, ac.SigningAlg) {
			return nil, fail(FieldSigningAlg, fmt.Sprintf("%s does not fit the key (an %s key)", ac.SigningAlg, keygen.DefaultAlg(key)))
		}
	}
	creds.PrivateKey = pemText
	ac.KeyID = pemkey.Thumbprint(key)
	return key, nil
}

// setDPoP turns DPoP on or off. Turning it on for a client that has a key
// keeps that key, so tokens bound to it stay usable.
func setDPoP(ac *vault.AuthClient, creds *vault.ClientCredentials, on bool, fail func(field, msg string) error) error {
	switch {
	case !on:
		ac.DPoP, ac.DPoPKeyID, creds.DPoPKey = false, "", ""
	case creds.DPoPKey == "":
		key, pemText, err := dpop.GenerateKey()
		if err != nil {
			return fail(FieldDPoPKey, "generating the DPoP key: "+err.Error())
		}
		ac.DPoP, ac.DPoPKeyID, creds.DPoPKey = true, key.Thumbprint(), pemText
	default:
		key, err := dpop.ParseKey(creds.DPoPKey)
		if err != nil {
			return fail(FieldDPoPKey, "the stored DPoP key: "+err.Error())
		}
		ac.DPoP, ac.DPoPKeyID = true, key.Thumbprint()
	}
	return nil
}

// Missing names the credential ac's authentication needs and creds lack:
// FieldClientSecret, FieldPrivateKey or FieldCert; "" when nothing is
// missing (a public client, implicit grant or session auth needs none).
func Missing(ac vault.AuthClient, creds vault.ClientCredentials) string {
	switch ac.Type {
	case vault.ClientOAuth1:
		if oauth1.IsRSA(ac.SignatureMethod) {
			if creds.PrivateKey == "" {
				return FieldPrivateKey
			}
			return ""
		}
		if creds.ClientSecret == "" {
			return FieldClientSecret
		}
		return ""
	case vault.ClientSessionAuth:
		return ""
	case vault.ClientOAuth2:
		// by its authentication method, below
	}
	switch ac.AuthMethod {
	case vault.AuthClientSecretBasic, vault.AuthClientSecretPost, vault.AuthClientSecretJWT:
		if creds.ClientSecret == "" {
			return FieldClientSecret
		}
	case vault.AuthPrivateKeyJWT:
		if creds.PrivateKey == "" {
			return FieldPrivateKey
		}
	case vault.AuthTLSClient:
		if creds.Cert == "" || creds.CertKey == "" {
			return FieldCert
		}
	case vault.AuthNone:
		// a public client keeps no credentials
	}
	return ""
}
