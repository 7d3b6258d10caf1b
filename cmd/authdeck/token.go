package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/oauth/dpop"
	"github.com/authdeck/authdeck/oauth/engines"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/interchange"
	"github.com/authdeck/authdeck/vault/local"
	"github.com/authdeck/authdeck/vault/termsafe"
)

// tokenOptions are the flags of `authdeck token`.
type tokenOptions struct {
	scopes    []string
	format    string
	force     bool
	noBrowser bool
	reveal    bool
	verbose   bool
	prompt    string
	// dpopProof is the method of the request a DPoP proof is made for
	// (--dpop-proof METHOD URL); proofURL its URL, from the arguments.
	dpopProof, proofURL string
	// dpopNonce is the resource server's DPoP-Nonce to put in the proof.
	dpopNonce string
	// subjectStdin reads a token exchange's subject token from stdin.
	subjectStdin bool
}

const tokenNaming = `NAME is an auth client or a token secret of the environment:
  - an OAuth 2.0 auth client: its token set is the OA2_AUTHORIZATION_CODE
    secret linked to it (the secret of the same name, created by the first
    token);
  - a SESSION_AUTH auth client: the one SESSION_AUTH secret that uses it;
  - an OA2_AUTHORIZATION_CODE or SESSION_AUTH secret, with its auth client;
  - an OAuth 1.0a auth client: its token credentials are the OA1_TOKEN
    secret linked to it (the secret of the same name, created by the first
    authorization), or an OA1_TOKEN secret.`

func newTokenCmd(a *App) *cobra.Command {
	o := &tokenOptions{}
	cmd := &cobra.Command{
		Use:   "token NAME",
		Short: "Print a fresh access token (from the vault, refreshed or newly obtained)",
		Long: `Print an access token for NAME on stdout — and nothing else there.

The stored token is used while it is valid; a token close to expiry is
refreshed with the refresh token; otherwise the auth client's grant runs
(a browser sign-in, a device code, client credentials …). New tokens are
stored in the vault before they are printed. Progress, URLs, QR codes and
prompts go to stderr.

` + tokenNaming + `

Formats: bare (the token), header ("Authorization: Bearer …"),
json (token, type, expiry, scopes, whether there is a refresh token; the
refresh and ID tokens only with --reveal).

DPoP-bound tokens (RFC 9449) go out with a fresh proof on every request,
signed with the auth client's key, which never leaves the vault. For a
script, --dpop-proof METHOD URL makes the proof of one request: with
-f header both headers are printed ("Authorization: DPoP …" and
"DPoP: …"), with -f json the proof is dpop_proof. A resource server that
answers with a DPoP-Nonce header wants it in the proof: --dpop-nonce.
-f header without --dpop-proof is refused for a DPoP-bound token, since a
header without its proof would be rejected.

Token exchange clients (RFC 8693) trade the token of the credential their
configuration names; --subject-token-stdin trades a token read from stdin
instead (it is always exchanged anew, never taken from the vault).

OAuth 1.0a clients: the first call (or --force) runs the three-legged flow —
temporary credentials, your approval in the browser (back through a
loopback listener, or a verifier you type in for an oob callback), token
credentials — and stores the token and token secret in the vault. It prints
the token; --reveal adds the token secret (a second line, or token_secret
in json). There is no header format: OAuth 1.0a signs each request, so use
'authdeck request … --auth NAME'.`,
		Example: `  authdeck token api
  curl -H "$(authdeck token api -f header)" https://api.example.com/me
  authdeck token api --scope "api:read api:write" -f json
  authdeck token api --force -v
  curl -H "$(authdeck token api -f header --dpop-proof GET https://api.example.com/me)" https://api.example.com/me
  printf %s "$SUBJECT_TOKEN" | authdeck token gateway --subject-token-stdin
  authdeck token photos --reveal -f json    # an OAuth 1.0a client`,
		Args: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("dpop-proof") {
				if len(args) != 2 {
					return exitWith(exitOther, "--dpop-proof METHOD URL: give the auth client's NAME and the request's URL (%d arguments given)", len(args))
				}
				return nil
			}
			return cobra.ExactArgs(1)(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			var name string
			name, o.proofURL = tokenArgs(args)
			return a.runToken(cmd.Context(), name, o)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&o.scopes, "scope", nil, "scopes to ask for instead of the client's (repeat, or space-separated)")
	f.StringVarP(&o.format, "format", "f", "bare", "output: bare, header or json")
	f.BoolVar(&o.force, "force", false, "ignore the stored token and the refresh token; sign in again")
	f.BoolVar(&o.noBrowser, "no-browser", false, "do not open a browser; print the URL (and a QR code) instead")
	f.BoolVar(&o.reveal, "reveal", false, "with -f json: include the refresh token and the ID token (OAuth 1.0a: print the token secret too)")
	f.BoolVarP(&o.verbose, "verbose", "v", false, "print the flow's transcript (secrets redacted) on stderr")
	f.StringVar(&o.prompt, "prompt", "", "OpenID prompt for this sign-in (consent, login, none), overriding the client's")
	f.StringVar(&o.dpopProof, "dpop-proof", "", "with a DPoP-bound token: make the proof of the request METHOD URL (-f header prints both headers)")
	f.StringVar(&o.dpopNonce, "dpop-nonce", "", "with --dpop-proof: the DPoP-Nonce the resource server sent")
	f.BoolVar(&o.subjectStdin, "subject-token-stdin", false, "token exchange: read the subject token from stdin instead of the configured subject")
	return cmd
}

// tokenArgs splits the arguments of `token` into NAME and, with
// --dpop-proof, the request's URL, which may come before or after NAME.
func tokenArgs(args []string) (name, proofURL string) {
	if len(args) != 2 {
		return args[0], ""
	}
	name, proofURL = args[0], args[1]
	if strings.Contains(name, "://") && !strings.Contains(proofURL, "://") {
		name, proofURL = proofURL, name
	}
	return name, proofURL
}

// engineConfig is how the workspace's engines are set up: cross-process
// locks under $AUTHDECK_HOME/locks, and the injected browser opener (else
// the system's, honouring $BROWSER).
func (a *App) engineConfig(v *vault.Vault) *engines.Config {
	cfg := &engines.Config{Opener: a.opener()}
	home := a.Getenv("AUTHDECK_HOME")
	if home == "" && v.Backend() != vault.BackendMemory {
		home, _ = local.DefaultHome()
	}
	if home != "" {
		cfg.LockDir = filepath.Join(home, "locks")
	}
	return cfg
}

// engineSet builds the OAuth engines and the request sender over v.
func (a *App) engineSet(v *vault.Vault) *engines.Set { return engines.New(v, a.engineConfig(v)) }

// opener opens authorization URLs: the injected one, else the system's
// (honouring $BROWSER).
func (a *App) opener() oauth.Opener {
	if a.Opener != nil {
		return a.Opener
	}
	return oauth.SystemOpener(a.Getenv)
}

// flowUI prints a flow's prompts on stderr and reads pasted URLs from a terminal.
type flowUI struct {
	a       *App
	verbose bool
	// paste offers the "paste the redirected URL" fallback (a terminal, and
	// stdin not reserved for another program).
	paste bool
	// qr prints the authorization URL as a QR code too (--no-browser: the
	// sign-in probably happens on another device).
	qr bool

	mu          sync.Mutex
	interactive bool
	pasteOnce   sync.Once
	pasted      chan string
}

func (a *App) newFlowUI(verbose, paste bool) *flowUI {
	return &flowUI{a: a, verbose: verbose, paste: paste && a.isTerminal(), pasted: make(chan string)}
}

// say writes to stderr; what it says quotes servers (codes, addresses,
// messages) and names, so it reaches the terminal escaped (S-40).
func (u *flowUI) say(format string, args ...any) {
	u.mu.Lock()
	defer u.mu.Unlock()
	_, _ = io.WriteString(u.a.IO.Err, termsafe.Text(fmt.Sprintf(format, args...)))
}

// progress shows an engine's progress line with -v, or once the user has
// been asked to act: a silent token command stays silent when nothing
// needs the user.
func (u *flowUI) progress(msg string) {
	u.mu.Lock()
	show := u.verbose || u.interactive
	u.mu.Unlock()
	if show {
		u.say("authdeck: %s\n", msg)
	}
}

// prompted notes that the user was asked to act, so progress shows from
// now on.
func (u *flowUI) prompted() {
	u.mu.Lock()
	u.interactive = true
	u.mu.Unlock()
}

// callbacks returns the engine callbacks that talk to the terminal.
func (u *flowUI) callbacks() oauth.FlowCallbacks {
	cb := oauth.FlowCallbacks{
		Progress: u.progress,
		AuthURL: func(p oauth.AuthPrompt) {
			u.prompted()
			if p.Deprecated {
				u.say("authdeck: warning: the implicit grant is deprecated (RFC 9700); this client enables it explicitly\n")
			}
			u.say("\nSign in with your browser. If it does not open, visit:\n\n  %s\n\n", p.URL)
			if p.QR != "" && u.qr {
				u.say("%s\n", p.QR)
			}
			switch {
			case !p.Listening && u.paste:
				u.say("The redirect goes to %s, which authdeck cannot receive.\nAfter signing in, paste the address your browser shows and press Enter:\n", p.RedirectURI)
			case u.paste:
				u.say("Waiting for the browser to come back to %s …\n(On another machine? Paste the address it lands on and press Enter.)\n", p.RedirectURI)
			default:
				u.say("Waiting for the browser to come back to %s …\n", p.RedirectURI)
			}
			if u.paste {
				u.startPasteReader()
			}
		},
		DeviceCode: func(p oauth.DevicePrompt) {
			u.prompted()
			open := p.VerificationURI
			u.say("\nTo sign in, open %s\nand enter the code:\n\n    %s\n\n", termsafe.Line(open), termsafe.Line(p.UserCode))
			if p.VerificationURIComplete != "" {
				u.say("(or open %s, which has the code filled in)\n", p.VerificationURIComplete)
			}
			u.say("Check that the page is on %s before you enter the code.\n", p.Host)
			if p.QR != "" {
				u.say("\n%s\n", p.QR)
			}
			if !p.Expires.IsZero() {
				u.say("Waiting for you to finish (the code expires in %s) …\n", p.Expires.Sub(u.a.Now()).Round(time.Second))
			}
		},
		PasteRejected: func(err error) {
			u.say("authdeck: %v; paste the full address again:\n", err)
		},
		Credentials: func(ctx context.Context, client string) (string, string, error) {
			if !u.a.isTerminal() {
				return "", "", errors.New("no terminal to ask for them")
			}
			u.say("Username for %s: ", client)
			user, err := u.a.readLine()
			if err != nil {
				return "", "", err
			}
			pass, err := u.a.promptSecret("Password: ")
			return user, pass, err
		},
	}
	if u.paste {
		cb.Pasted = u.pasted
	}
	return cb
}

// startPasteReader reads lines from the terminal and hands them to the flow.
// The goroutine may outlive the flow, blocked on the terminal, until the
// process exits; that is why it only runs when a browser sign-in started.
func (u *flowUI) startPasteReader() {
	u.pasteOnce.Do(func() {
		go func() {
			for range 64 {
				line, err := u.a.readLine()
				if err != nil {
					return
				}
				if strings.TrimSpace(line) == "" {
					continue
				}
				u.pasted <- line
			}
		}()
	})
}

// printTranscript writes the flow's transcript to stderr (-v).
func (u *flowUI) printTranscript(tr *oauth.Transcript) {
	if !u.verbose || tr.Len() == 0 {
		return
	}
	u.say("\n--- transcript (secrets redacted) ---\n%s--- end of transcript ---\n", tr.Text())
}

// oauthFailure turns an engine error into the CLI's one-line message with
// the next step, keeping its exit code.
func oauthFailure(err error) error {
	var oe *oauth.Error
	if errors.As(err, &oe) {
		msg := oe.Error()
		if oe.Hint != "" {
			msg += " — " + oe.Hint
		}
		return exitWith(exitCode(oe), "%s", msg)
	}
	return err
}

// splitScopeFlags accepts --scope "a b" and --scope a --scope b.
func splitScopeFlags(in []string) []string {
	var out []string
	for _, s := range in {
		out = append(out, strings.Fields(s)...)
	}
	return out
}

func (a *App) runToken(ctx context.Context, name string, o *tokenOptions) error {
	switch o.format {
	case "bare", "header", "json":
	default:
		return exitWith(exitOther, "--format %q is not bare, header or json", o.format)
	}
	if err := checkProofFlags(o); err != nil {
		return err
	}
	v, err := a.storeVault()
	if err != nil {
		return err
	}
	cat, err := v.Load()
	if err != nil {
		return err
	}
	cred, err := vault.Resolve(cat, a.envName(), name, vault.ForToken)
	if err != nil {
		return err
	}
	if err := checkDPoPClient(name, cred, o); err != nil {
		return err
	}
	var subject string
	if o.subjectStdin {
		if cred.Client == nil || cred.Client.Grant != vault.GrantTokenExchange {
			return exitWith(exitOther, "--subject-token-stdin: %s is not a token exchange client", name)
		}
		if subject, err = a.readSubjectToken(); err != nil {
			return err
		}
	}
	ui := a.newFlowUI(o.verbose, !o.subjectStdin) // stdin holds the subject token
	ui.qr = o.noBrowser
	cb := ui.callbacks()
	if cred.Protocol == vault.ProtocolOAuth1 {
		if err := checkOAuth1TokenFlags(name, o); err != nil {
			return err
		}
		if cred.Client.InsecureSkipVerify {
			ui.say("authdeck: warning: TLS certificate verification is off for auth client %s\n", cred.Client.Name)
		}
		cb = ui.oauth1Callbacks()
	}
	tr := oauth.NewTranscript()
	req := oauth.TokenRequest{
		Env: cred.Env, Name: name, Scopes: splitScopeFlags(o.scopes),
		Force: o.force || subject != "", NoBrowser: o.noBrowser, Prompt: o.prompt, Transcript: tr, Credential: cred,
		SubjectToken: subject,
	}
	es := a.engineSet(v)
	r, err := es.Engine.Token(ctx, req, cb)
	ui.printTranscript(tr)
	if err != nil {
		return oauthFailure(err)
	}
	if r.Protocol == vault.ProtocolOAuth1 {
		return a.printOAuth1Result(r, cred, o, ui)
	}
	if o.verbose && r.FromCache {
		ui.say("authdeck: token: reused the stored token set (%s); no request was made\n", cacheExpiry(r.ExpiresIn))
	}
	if r.Deprecated {
		ui.say("authdeck: warning: this token comes from the deprecated %s grant (RFC 9700)\n", r.Grant)
	}
	if r.InsecureTLS {
		ui.say("authdeck: warning: TLS certificate verification is off for auth client %s\n", r.Client)
	}
	if len(r.MissingScopes) > 0 {
		ui.say("authdeck: note: the server did not grant %s\n", strings.Join(r.MissingScopes, " "))
	}
	proof, err := a.dpopProof(ctx, es, req, r, name, o)
	if err != nil {
		return err
	}
	return a.printToken(name, r, o.format, o.reveal, proof)
}

// envName is --env, else $AUTHDECK_ENV; empty lets the engine use the active one.
func (a *App) envName() string {
	if a.EnvFlag != "" {
		return a.EnvFlag
	}
	return a.Getenv("AUTHDECK_ENV")
}

// tokenJSON is the json format of `authdeck token`.
type tokenJSON struct {
	AccessToken     string   `json:"access_token"`
	TokenType       string   `json:"token_type"`
	ExpiresAt       *string  `json:"expires_at"`
	ExpiresIn       *int64   `json:"expires_in"`
	Scope           string   `json:"scope"`
	GrantedScopes   []string `json:"granted_scopes"`
	RequestedScopes []string `json:"requested_scopes"`
	MissingScopes   []string `json:"missing_scopes"`
	HasRefreshToken bool     `json:"has_refresh_token"`
	RefreshToken    string   `json:"refresh_token,omitempty"`
	IDToken         string   `json:"id_token,omitempty"`
	Grant           string   `json:"grant,omitempty"`
	Deprecated      bool     `json:"deprecated,omitempty"`
	FromCache       bool     `json:"from_cache"`
	Refreshed       bool     `json:"refreshed"`
	DPoPJKT         string   `json:"dpop_jkt,omitempty"`
	DPoPProof       string   `json:"dpop_proof,omitempty"`
	// IssuedTokenType is the RFC 8693 issued_token_type of an exchanged token.
	IssuedTokenType string `json:"issued_token_type,omitempty"`
	Env             string `json:"env,omitempty"`
	Client          string `json:"client,omitempty"`
	Secret          string `json:"secret,omitempty"`
}

// printToken prints r in format; proof is the DPoP proof of --dpop-proof.
func (a *App) printToken(name string, r *oauth.Result, format string, reveal bool, proof string) error {
	if format != "json" {
		if err := a.checkTokenOutput(name, "access token", r.AccessToken); err != nil {
			return err
		}
	}
	switch format {
	case "header":
		if proof != "" {
			_, err := fmt.Fprintf(a.IO.Out, "Authorization: DPoP %s\n%s: %s\n", r.AccessToken, dpop.HeaderName, proof)
			return err
		}
		_, err := fmt.Fprintf(a.IO.Out, "Authorization: %s\n", r.Bearer())
		return err
	case "json":
		j := tokenJSON{
			AccessToken: r.AccessToken, TokenType: r.TokenType, Scope: r.Scope,
			GrantedScopes: nonNil(r.GrantedScopes), RequestedScopes: nonNil(r.RequestedScopes), MissingScopes: nonNil(r.MissingScopes),
			HasRefreshToken: r.RefreshToken != "", Grant: r.Grant, Deprecated: r.Deprecated,
			FromCache: r.FromCache, Refreshed: r.Refreshed, Env: r.Env, Client: r.Client, Secret: r.Secret,
			DPoPJKT: r.DPoPJKT, DPoPProof: proof, IssuedTokenType: r.IssuedTokenType,
		}
		if !r.Expiry.IsZero() {
			at := r.Expiry.UTC().Format(time.RFC3339)
			in := int64(r.Expiry.Sub(a.Now()).Seconds())
			j.ExpiresAt, j.ExpiresIn = &at, &in
		}
		if reveal {
			j.RefreshToken, j.IDToken = r.RefreshToken, r.IDToken
		}
		return writeJSON(a.IO.Out, j)
	}
	_, err := io.WriteString(a.IO.Out, r.AccessToken+"\n")
	return err
}

// checkTokenOutput refuses to print a token as it is when that would do
// harm (S-40): one holding an ASCII control character can never be sent in
// an HTTP header, so printing it only hands a broken value to a script or
// drives the terminal; and on a terminal, a token with anything else a
// terminal acts on (C1 controls, bidirectional overrides, bytes that are
// not UTF-8) is not printed either. Any other token — every valid RFC 6750
// token68 among them — is printed byte for byte. -f json always works: it
// shows the value escaped.
func (a *App) checkTokenOutput(name, what, tok string) error {
	if i := termsafe.IndexCTL(tok); i >= 0 {
		return exitWith(exitOther, "the %s of %s holds the control character 0x%02x at byte %d, so it can never be sent in an HTTP header; it is not printed (-f json shows it escaped; --force gets a new one)",
			what, interchange.ShellQuote(name), tok[i], i)
	}
	if a.IO.OutTTY && !termsafe.Clean(tok) {
		return exitWith(exitOther, "the %s of %s holds characters a terminal would act on (%s); it is not printed to a terminal (pipe it, or use -f json to see it escaped)",
			what, interchange.ShellQuote(name), termsafe.Line(unsafeRunes(tok)))
	}
	return nil
}

// unsafeRunes returns the characters of s that termsafe escapes, for an
// error to name them (at most 4).
func unsafeRunes(s string) string {
	var out []string
	for i := 0; i < len(s) && len(out) < 4; {
		_, size := utf8.DecodeRuneInString(s[i:])
		if c := s[i : i+size]; !termsafe.Clean(c) {
			out = append(out, c)
		}
		i += size
	}
	return strings.Join(out, " ")
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// cacheExpiry describes when a reused token expires, for -v.
func cacheExpiry(in time.Duration) string {
	if in <= 0 {
		return "no expiry known"
	}
	return "expires in " + in.Round(time.Second).String()
}
