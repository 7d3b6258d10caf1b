package main

import (
	"context"
	"io"
	"strings"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/interchange"
)

// oauth1TokenJSON is the json format of `authdeck token` for OAuth 1.0a
// token credentials; the token secret only with --reveal.
type oauth1TokenJSON struct {
	Protocol        string            `json:"protocol"`
	Token           string            `json:"token"`
	TokenSecret     string            `json:"token_secret,omitempty"`
	HasTokenSecret  bool              `json:"has_token_secret"`
	SignatureMethod string            `json:"signature_method"`
	ConsumerKey     string            `json:"consumer_key"`
	FromCache       bool              `json:"from_cache"`
	Env             string            `json:"env"`
	Client          string            `json:"client"`
	Secret          string            `json:"secret"`
	Extra           map[string]string `json:"extra,omitempty"`
}

// checkOAuth1TokenFlags refuses the flags of `authdeck token` that mean
// nothing for OAuth 1.0a token credentials, before anything runs.
func checkOAuth1TokenFlags(name string, o *tokenOptions) error {
	switch {
	case len(o.scopes) > 0:
		return exitWith(exitOther, "--scope does not apply to OAuth 1.0a client %q; a provider's scope parameter goes on the client (authdeck client edit %s --token-param scope=…)", name, interchange.ShellQuote(name))
	case o.prompt != "":
		return exitWith(exitOther, "--prompt is an OpenID parameter and does not apply to OAuth 1.0a client %q", name)
	case o.format == "header":
		return exitWith(exitUnsupported, "--format header: OAuth 1.0a signs each request (nonce, timestamp, a signature over the URL), so %q has no fixed Authorization header; send requests with 'authdeck request METHOD URL --auth %s'", name, interchange.ShellQuote(name))
	}
	return nil
}

// printOAuth1Result writes the OAuth 1.0a token credentials the engine
// returned for cred: the token (and, with --reveal, the token secret).
func (a *App) printOAuth1Result(r *oauth.Result, cred *vault.Credential, o *tokenOptions, ui *flowUI) error {
	switch {
	case !r.FromCache:
		ui.say("authdeck: stored the token credentials in secret %q (environment %q)\n", r.Secret, r.Env)
	case cred.Client != nil && !cred.Client.HasOAuth1Flow():
		ui.say("authdeck: auth client %q has no flow to run (no request-token, authorization or access-token URL): these are the token credentials stored with it in secret %q; 'authdeck request METHOD URL --auth %s' signs requests with them\n",
			r.Client, r.Secret, interchange.ShellQuote(r.Secret))
	}
	out := oauth1TokenJSON{
		Protocol: "oauth1", SignatureMethod: cred.Client.SignatureMethod, ConsumerKey: cred.Client.ClientID,
		Env: r.Env, Client: r.Client, Secret: r.Secret, Token: r.AccessToken, TokenSecret: r.TokenSecret, FromCache: r.FromCache,
	}
	for _, p := range r.Extra {
		if out.Extra == nil {
			out.Extra = map[string]string{}
		}
		out.Extra[p.Name] = p.Value
	}
	return a.printOAuth1Token(out, o.format, o.reveal)
}

// printOAuth1Token writes the token (and, with reveal, the token secret).
func (a *App) printOAuth1Token(j oauth1TokenJSON, format string, reveal bool) error {
	j.HasTokenSecret = j.TokenSecret != ""
	secret := j.TokenSecret
	if !reveal {
		j.TokenSecret = ""
	}
	if format == "json" {
		return writeJSON(a.IO.Out, j)
	}
	if err := a.checkTokenOutput(j.Client, "token", j.Token); err != nil {
		return err
	}
	text := j.Token + "\n"
	if reveal {
		if err := a.checkTokenOutput(j.Client, "token secret", secret); err != nil {
			return err
		}
		text += secret + "\n"
	}
	_, err := io.WriteString(a.IO.Out, text)
	return err
}

// oauth1Callbacks talks to the terminal during an OAuth 1.0a authorization:
// the URL (and a QR code with --no-browser) on stderr, and, on a terminal,
// a typed verifier — the oob callback's, or the address a remote browser
// landed on.
func (u *flowUI) oauth1Callbacks() oauth.FlowCallbacks {
	cb := oauth.FlowCallbacks{
		Progress: u.progress,
		AuthURL: func(p oauth.AuthPrompt) {
			u.prompted()
			u.say("\nApprove the access in your browser. If it does not open, visit:\n\n  %s\n\n", p.URL)
			if p.QR != "" && u.qr {
				u.say("%s\n", p.QR)
			}
			switch {
			case !p.Listening:
				u.say("After approving, type the verifier the page shows and press Enter:\n")
			case u.paste:
				u.say("Waiting for the browser to come back to %s …\n(On another machine? Paste the address it lands on and press Enter.)\n", p.RedirectURI)
			default:
				u.say("Waiting for the browser to come back to %s …\n", p.RedirectURI)
			}
		},
	}
	if u.paste {
		cb.Verifier = func(ctx context.Context, _ oauth.AuthPrompt) (string, error) {
			u.startPasteReader()
			select {
			case line := <-u.pasted:
				return strings.TrimSpace(line), nil
			case <-ctx.Done():
				return "", ctx.Err()
			}
		}
	}
	return cb
}
