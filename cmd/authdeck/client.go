package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/oauth/dpop"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/pemkey"
)

func init() { register(newClientCmd) }

func newClientCmd(a *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "client",
		Aliases: []string{"clients"},
		Short:   "Manage OAuth auth clients",
		Long: `An auth client says how to obtain tokens from one authorization server:
endpoints (or an issuer for discovery), client id, client authentication,
grant, scopes and extra parameters — or, for an OAuth 1.0a client (--oauth1),
the request-token, authorization and access-token URLs, the consumer key and
the signature method. Its client secret, private key or client certificate
live in the vault, never in the catalog.`,
		Example: `  authdeck client add api --issuer https://id.example.com --client-id my-app \
      --auth-method client_secret_basic --grant client_credentials --scope read
  authdeck client keygen api --alg ES256 --set-method
  authdeck client list`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newClientAddCmd(a), newClientEditCmd(a), newClientListCmd(a), newClientShowCmd(a),
		newClientRmCmd(a), newClientKeygenCmd(a), newClientPubkeyCmd(a))
	return cmd
}

// clientFlags are the flags shared by `client add` and `client edit`.
type clientFlags struct {
	issuer, tokenURL, authURL, deviceURL, introspectionURL, revocationURL, jwksURL string
	clientID                                                                       string
	secretStdin                                                                    bool
	privateKeyFile, certFile, certKeyFile                                          string
	generateKey                                                                    bool
	authMethod, grant                                                              string
	allowDeprecated                                                                bool
	scopes                                                                         []string
	audience, resource, redirectURI, prompt                                        string
	params, tokenParams                                                            []string
	tokenMethod, signingAlg                                                        string
	description, expires, tenant                                                   string
	allowedHosts                                                                   []string
	insecure                                                                       bool
	// DPoP, pushed and signed authorization requests, token exchange
	dpop, par, requestObject                                      bool
	parURL                                                        string
	subject, subjectTokenType, actor, actorTokenType, requestedTT string
	// OAuth 1.0a
	oauth1                                     bool
	requestTokenURL, signatureMethod, callback string
}

// clientFieldFlags maps model fields named in validation errors to flags.
var clientFieldFlags = map[string]string{
	"name": "NAME", "issuer": "--issuer", "endpoints.token": "--token-url", "endpoints.auth": "--auth-url",
	"endpoints.device": "--device-url", "endpoints.introspection": "--introspection-url",
	"endpoints.revocation": "--revocation-url", "endpoints.jwks": "--jwks-url", "redirectUri": "--redirect-uri",
	"clientId": "--client-id", "authMethod": "--auth-method", "grant": "--grant", "tokenMethod": "--token-method",
	"signingAlg": "--signing-alg", "allowedHosts": "--allowed-host", "clientSecret": "--client-secret-stdin",
	"privateKey": "--private-key-file", "cert": "--cert-file/--cert-key-file", "authParams[": "--param",
	"tokenParams[": "--token-param", "endpoints.requestToken": "--request-token-url", "signatureMethod": "--signature-method",
	"endpoints": "--request-token-url/--auth-url/--token-url", "endpoints.par": "--par-url", "dpopKey": "--dpop",
	"exchange.subject": "--subject", "exchange.subjectTokenType": "--subject-token-type", "exchange.actorTokenType": "--actor-token-type",
	"exchange.requestedTokenType": "--requested-token-type", "exchange": "--subject/--actor/--…-token-type",
	"requestObject": "--request-object",
}

func (f *clientFlags) bind(fs *pflag.FlagSet, edit bool) {
	fs.StringVar(&f.issuer, "issuer", "", "issuer URL; endpoints are discovered from it")
	fs.StringVar(&f.tokenURL, "token-url", "", "token endpoint URL (OAuth 1.0a: the access-token URL)")
	fs.StringVar(&f.authURL, "auth-url", "", "authorization endpoint URL (OAuth 1.0a: the resource owner authorization URL)")
	fs.StringVar(&f.deviceURL, "device-url", "", "device authorization endpoint URL")
	fs.StringVar(&f.introspectionURL, "introspection-url", "", "token introspection endpoint URL (RFC 7662)")
	fs.StringVar(&f.revocationURL, "revocation-url", "", "token revocation endpoint URL (RFC 7009)")
	fs.StringVar(&f.jwksURL, "jwks-url", "", "JWKS URL used to verify token signatures")
	fs.StringVar(&f.clientID, "client-id", "", "client id (OAuth 1.0a: the consumer key)")
	fs.BoolVar(&f.secretStdin, "client-secret-stdin", false, "read the client secret (OAuth 1.0a: the consumer secret) from standard input (else a no-echo prompt)")
	fs.StringVar(&f.privateKeyFile, "private-key-file", "", "PEM private key for private_key_jwt (PKCS#1, PKCS#8, EC P-256; RSA ≥ 2048) or OAuth 1.0a RSA-SHA1/RSA-SHA256 (RSA)")
	fs.StringVar(&f.certFile, "cert-file", "", "PEM client certificate for tls_client_auth")
	fs.StringVar(&f.certKeyFile, "cert-key-file", "", "PEM key of the client certificate")
	fs.BoolVar(&f.generateKey, "generate-key", false, "generate a key pair for private_key_jwt (see 'client pubkey')")
	fs.StringVar(&f.authMethod, "auth-method", "", "client authentication: client_secret_basic, client_secret_post, client_secret_jwt, private_key_jwt, none, tls_client_auth (never guessed)")
	grantHelp := "grant: client_credentials (default), authorization_code, device_code, token_exchange, password, implicit"
	if edit {
		grantHelp = "grant: client_credentials, authorization_code, device_code, token_exchange, password, implicit"
	}
	fs.StringVar(&f.grant, "grant", "", grantHelp)
	fs.BoolVar(&f.allowDeprecated, "allow-deprecated", false, "allow the deprecated password and implicit grants for this client")
	fs.StringArrayVar(&f.scopes, "scope", nil, "scope to request (repeat or space-separate)")
	fs.StringVar(&f.audience, "audience", "", "audience parameter")
	fs.StringVar(&f.resource, "resource", "", "resource indicator (RFC 8707)")
	fs.StringVar(&f.redirectURI, "redirect-uri", "", "registered redirect URI (default http://127.0.0.1:{port}/callback)")
	fs.StringVar(&f.prompt, "prompt", "", "OpenID prompt parameter (consent, login, none)")
	fs.StringArrayVar(&f.params, "param", nil, "extra authorization parameter key=value (repeatable)")
	fs.StringArrayVar(&f.tokenParams, "token-param", nil, "extra token parameter key=value (repeatable; OAuth 1.0a: a signed parameter of the request-token call)")
	fs.StringVar(&f.tokenMethod, "token-method", "", "HTTP method of the token request(s): POST (default) or GET")
	fs.StringVar(&f.signingAlg, "signing-alg", "", "private_key_jwt algorithm: RS256, PS256, ES256 (default from the key); client_secret_jwt: HS256")
	fs.BoolVar(&f.dpop, "dpop", false, "sender-constrain the tokens with DPoP (RFC 9449): an ES256 key is generated and kept in the vault; --dpop=false turns it off")
	fs.BoolVar(&f.par, "par", false, "push authorization requests (RFC 9126) even when the provider does not require it")
	fs.StringVar(&f.parURL, "par-url", "", "pushed authorization request endpoint URL (else from discovery)")
	fs.BoolVar(&f.requestObject, "request-object", false, "send authorization requests as signed request objects (RFC 9101) even when the provider does not require it (needs private_key_jwt or client_secret_jwt)")
	fs.StringVar(&f.subject, "subject", "", "token_exchange: the credential (auth client or token secret) whose token is exchanged; empty: read it from stdin at each call")
	fs.StringVar(&f.subjectTokenType, "subject-token-type", "", "token_exchange: the subject token's type (access_token, refresh_token, id_token, jwt or a URI; default access_token)")
	fs.StringVar(&f.actor, "actor", "", "token_exchange: the credential whose token acts for the subject (optional)")
	fs.StringVar(&f.actorTokenType, "actor-token-type", "", "token_exchange: the actor token's type (default access_token)")
	fs.StringVar(&f.requestedTT, "requested-token-type", "", "token_exchange: the type of token to ask for (access_token, id_token, jwt, … or a URI)")
	fs.StringVar(&f.description, "description", "", "free text")
	fs.StringVar(&f.expires, "expires", "", "when the client's credentials expire (2027-01-31, RFC 3339, or never)")
	fs.StringVar(&f.tenant, "tenant", "", "tenant label")
	fs.StringArrayVar(&f.allowedHosts, "allowed-host", nil, "only send this client's tokens to this host (repeatable; *.example.com)")
	fs.BoolVar(&f.insecure, "insecure-skip-verify", false, "turn TLS verification off for this client (shown everywhere)")
	if !edit {
		fs.BoolVar(&f.oauth1, "oauth1", false, "an OAuth 1.0a client (RFC 5849): give --request-token-url, --auth-url, --token-url, --client-id and --signature-method")
	}
	fs.StringVar(&f.requestTokenURL, "request-token-url", "", "OAuth 1.0a temporary-credentials (request token) URL")
	fs.StringVar(&f.signatureMethod, "signature-method", "", "OAuth 1.0a signature method: HMAC-SHA1, HMAC-SHA256, PLAINTEXT (consumer secret) or RSA-SHA1, RSA-SHA256 (--private-key-file)")
	fs.StringVar(&f.callback, "callback", "", "OAuth 1.0a callback: loopback (default, http://127.0.0.1:{port}/callback), oob (type the verifier in), or a loopback URL")
}

func registerClientFlagCompletions(cmd *cobra.Command) {
	_ = cmd.RegisterFlagCompletionFunc("auth-method", completeFlagValues("client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt", "none", "tls_client_auth"))
	_ = cmd.RegisterFlagCompletionFunc("grant", completeFlagValues("client_credentials", "authorization_code", "device_code", "token_exchange", "password", "implicit"))
	_ = cmd.RegisterFlagCompletionFunc("token-method", completeFlagValues("POST", "GET"))
	_ = cmd.RegisterFlagCompletionFunc("signing-alg", completeFlagValues("RS256", "PS256", "ES256", "HS256"))
	tokenTypes := completeFlagValues("access_token", "refresh_token", "id_token", "jwt", "saml1", "saml2")
	for _, name := range []string{"subject-token-type", "actor-token-type", "requested-token-type"} {
		_ = cmd.RegisterFlagCompletionFunc(name, tokenTypes)
	}
	_ = cmd.RegisterFlagCompletionFunc("signature-method", completeFlagValues("HMAC-SHA1", "HMAC-SHA256", "RSA-SHA1", "RSA-SHA256", "PLAINTEXT"))
	_ = cmd.RegisterFlagCompletionFunc("callback", completeFlagValues("loopback", "oob"))
}

func parseParams(flag string, list []string) ([]vault.Param, error) {
	var out []vault.Param
	for _, p := range list {
		k, v, ok := strings.Cut(p, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, exitWith(exitOther, "%s %q: expected key=value", flag, p)
		}
		out = append(out, vault.Param{Key: k, Value: v})
	}
	return out, nil
}

func splitList(list []string) []string {
	var out []string
	for _, s := range list {
		out = append(out, strings.Fields(s)...)
	}
	return out
}

// apply copies the flags that were given onto ac; edit changes only those.
func (f *clientFlags) apply(fs *pflag.FlagSet, ac *vault.AuthClient) error {
	set := func(name string, dst *string, v string) {
		if fs.Changed(name) {
			*dst = v
		}
	}
	set("issuer", &ac.Issuer, f.issuer)
	set("token-url", &ac.Endpoints.Token, f.tokenURL)
	set("auth-url", &ac.Endpoints.Authorization, f.authURL)
	set("device-url", &ac.Endpoints.Device, f.deviceURL)
	set("introspection-url", &ac.Endpoints.Introspection, f.introspectionURL)
	set("revocation-url", &ac.Endpoints.Revocation, f.revocationURL)
	set("jwks-url", &ac.Endpoints.JWKS, f.jwksURL)
	set("client-id", &ac.ClientID, f.clientID)
	set("audience", &ac.Audience, f.audience)
	set("resource", &ac.Resource, f.resource)
	set("redirect-uri", &ac.RedirectURI, f.redirectURI)
	set("prompt", &ac.Prompt, f.prompt)
	set("token-method", &ac.TokenMethod, strings.ToUpper(f.tokenMethod))
	set("signing-alg", &ac.SigningAlg, f.signingAlg)
	set("request-token-url", &ac.Endpoints.RequestToken, f.requestTokenURL)
	set("signature-method", &ac.SignatureMethod, strings.ToUpper(f.signatureMethod))
	set("description", &ac.Description, f.description)
	set("tenant", &ac.Tenant, f.tenant)
	if fs.Changed("auth-method") {
		ac.AuthMethod = vault.AuthMethod(f.authMethod)
	}
	if fs.Changed("grant") {
		ac.Grant = vault.Grant(f.grant)
	}
	if fs.Changed("allow-deprecated") {
		ac.AllowDeprecated = f.allowDeprecated
	}
	if fs.Changed("insecure-skip-verify") {
		ac.InsecureSkipVerify = f.insecure
	}
	if fs.Changed("scope") {
		ac.Scopes = splitList(f.scopes)
	}
	if fs.Changed("allowed-host") {
		ac.AllowedHosts = splitList(f.allowedHosts)
	}
	if fs.Changed("param") {
		p, err := parseParams("--param", f.params)
		if err != nil {
			return err
		}
		ac.AuthParams = p
	}
	if fs.Changed("token-param") {
		p, err := parseParams("--token-param", f.tokenParams)
		if err != nil {
			return err
		}
		ac.TokenParams = p
	}
	if fs.Changed("expires") {
		exp, err := parseExpiresFlag(f.expires)
		if err != nil {
			return err
		}
		ac.Expiration = exp
	}
	if fs.Changed("callback") {
		cb, err := parseCallbackFlag(f.callback)
		if err != nil {
			return err
		}
		ac.Callback = cb
	}
	set("par-url", &ac.Endpoints.PAR, f.parURL)
	if fs.Changed("par") {
		ac.PAR = f.par
	}
	if fs.Changed("request-object") {
		ac.RequestObject = f.requestObject
	}
	return f.applyExchange(fs, ac)
}

// applyExchange sets the token exchange configuration from its flags.
func (f *clientFlags) applyExchange(fs *pflag.FlagSet, ac *vault.AuthClient) error {
	names := []string{"subject", "subject-token-type", "actor", "actor-token-type", "requested-token-type"}
	given := false
	for _, n := range names {
		given = given || fs.Changed(n)
	}
	if !given {
		return nil
	}
	x := vault.TokenExchange{}
	if ac.Exchange != nil {
		x = *ac.Exchange
	}
	if fs.Changed("subject") {
		x.Subject = f.subject
	}
	if fs.Changed("actor") {
		x.Actor = f.actor
	}
	for _, t := range []struct {
		flag string
		v    string
		dst  *string
	}{{"--subject-token-type", f.subjectTokenType, &x.SubjectTokenType}, {"--actor-token-type", f.actorTokenType, &x.ActorTokenType}, {"--requested-token-type", f.requestedTT, &x.RequestedTokenType}} {
		if !fs.Changed(strings.TrimPrefix(t.flag, "--")) {
			continue
		}
		u, err := oauth.TokenTypeURI(t.v)
		if err != nil {
			return exitWith(exitOther, "%s: %v", t.flag, err)
		}
		*t.dst = u
	}
	if x == (vault.TokenExchange{}) {
		ac.Exchange = nil
	} else {
		ac.Exchange = &x
	}
	return nil
}

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

func newClientAddCmd(a *App) *cobra.Command {
	f := &clientFlags{}
	cmd := &cobra.Command{
		Use:   "add NAME (--issuer URL | --token-url URL --auth-method METHOD | --oauth1 --request-token-url URL --auth-url URL --token-url URL --signature-method M) --client-id ID [flags]",
		Short: "Add an auth client",
		Long: `Add an auth client to the environment. Give an issuer (endpoints are
discovered) or the endpoints themselves. The client authentication method is
required and never guessed. A client secret is read from --client-secret-stdin
or a no-echo prompt, never from the command line; private keys and client
certificates are read from files into the vault and shown only by key id.

An OAuth 1.0a client (--oauth1) takes the provider's request-token,
authorization and access-token URLs, the consumer key (--client-id) and a
signature method: HMAC-SHA1, HMAC-SHA256 or PLAINTEXT sign with the consumer
secret (--client-secret-stdin or a prompt), RSA-SHA1 and RSA-SHA256 with an
RSA key (--private-key-file). The callback is a loopback listener unless
--callback oob, where you type in the verifier the provider shows. The token
requests use POST unless --token-method GET.`,
		Example: `  # client credentials with a secret (prompted, not echoed)
  authdeck client add api --token-url https://id.example.com/oauth2/token \
      --client-id my-app --auth-method client_secret_basic --scope "read write"

  # secret from a pipe
  pass show api | authdeck client add api --issuer https://id.example.com \
      --client-id my-app --auth-method client_secret_post --client-secret-stdin

  # authorization code + PKCE for a public client
  authdeck client add web --issuer https://id.example.com --client-id spa \
      --grant authorization_code --auth-method none --prompt consent

  # private_key_jwt with an existing key, or a new one
  authdeck client add svc --issuer https://id.example.com --client-id svc \
      --auth-method private_key_jwt --private-key-file key.pem
  authdeck client add svc2 --issuer https://id.example.com --client-id svc2 \
      --auth-method private_key_jwt --generate-key --signing-alg ES256

  # client_secret_jwt (an HS256 assertion keyed with the secret), DPoP-bound tokens
  pass show svc3 | authdeck client add svc3 --issuer https://id.example.com \
      --client-id svc3 --auth-method client_secret_jwt --client-secret-stdin --dpop

  # authorization code with pushed (RFC 9126) and signed (RFC 9101) requests
  authdeck client add fapi --issuer https://id.example.com --client-id fapi \
      --grant authorization_code --auth-method private_key_jwt --generate-key \
      --par --request-object --dpop

  # token exchange (RFC 8693): trade api's token for one for another audience
  authdeck client add downstream --issuer https://id.example.com --client-id gw \
      --auth-method client_secret_basic --grant token_exchange --subject api \
      --audience https://orders.example.com

  # OAuth 1.0a (three-legged), the consumer secret from a pipe; then
  # 'authdeck token photos' authorizes it in the browser
  pass show photos | authdeck client add photos --oauth1 \
      --request-token-url https://photos.example.net/request_token \
      --auth-url https://photos.example.net/authorize \
      --token-url https://photos.example.net/access_token \
      --client-id dpf43f3p2l4k3l03 --signature-method HMAC-SHA1 --client-secret-stdin

  # OAuth 1.0a with an RSA key and an out-of-band verifier typed in
  authdeck client add photos-rsa --oauth1 --request-token-url … --auth-url … \
      --token-url … --client-id dpf43f3p2l4k3l03 --signature-method RSA-SHA256 \
      --private-key-file consumer.pem --callback oob --token-method GET`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, c, env, err := a.workspace()
			if err != nil {
				return err
			}
			if f.oauth1 {
				return a.addOAuth1Client(cmd, v, c, env, args[0], f)
			}
			if err := checkProtocolFlags(cmd.Flags(), vault.ClientOAuth2); err != nil {
				return err
			}
			ac := vault.AuthClient{Meta: vault.Meta{Name: args[0], Env: env}, Type: vault.ClientOAuth2, Grant: vault.GrantClientCredentials}
			if err := f.apply(cmd.Flags(), &ac); err != nil {
				return err
			}
			if _, exists := c.Client(env, ac.Name); exists {
				return &vault.ExistsError{Kind: "auth client", Name: ac.Name, Env: env}
			}
			if ac.Issuer == "" && ac.Endpoints.Token == "" && ac.Grant != vault.GrantImplicit {
				return exitWith(exitNotConfigured, "auth client %q: give --issuer URL (discovery) or --token-url URL", ac.Name)
			}
			if ac.ClientID == "" {
				return exitWith(exitMissingInput, "auth client %q: --client-id is required", ac.Name)
			}
			if err := checkAuthMethod(&ac); err != nil {
				return err
			}
			// Check the configuration before asking for any secret.
			probe := ac
			if err := probe.Validate(); err != nil {
				return withFlag(err, clientFieldFlags)
			}
			creds := vault.ClientCredentials{}
			if err := a.readCreds(cmd.Flags(), f, &ac, &creds); err != nil {
				return err
			}
			ac, err = v.PutClient(cmd.Context(), ac, &creds)
			if err != nil {
				return withFlag(err, clientFieldFlags)
			}
			fmt.Fprintf(a.IO.Out, "Added auth client %q to environment %q (%s, %s).\n", ac.Name, env, ac.Grant, ac.AuthMethod)
			a.printCredsNote(ac, creds, v.Backend())
			if x := ac.Exchange; x != nil {
				for _, n := range []string{x.Subject, x.Actor} {
					if _, isClient := c.Client(env, n); n != "" && !isClient {
						if _, isSecret := c.Secret(env, n); !isSecret {
							fmt.Fprintln(a.IO.Err, a.paint(sgrYellow, fmt.Sprintf("warning: there is no auth client or secret %q in environment %q yet; token exchange needs it", n, env)))
						}
					}
				}
			}
			if ac.InsecureSkipVerify {
				fmt.Fprintln(a.IO.Err, a.paint(sgrYellow, "warning: TLS verification is off for this client"))
			}
			if ac.Grant.Deprecated() {
				fmt.Fprintf(a.IO.Err, "%s\n", a.paint(sgrYellow, fmt.Sprintf("warning: %s is a deprecated grant", ac.Grant)))
			}
			return nil
		},
	}
	f.bind(cmd.Flags(), false)
	registerClientFlagCompletions(cmd)
	return cmd
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

func newClientEditCmd(a *App) *cobra.Command {
	f := &clientFlags{}
	cmd := &cobra.Command{
		Use:   "edit NAME [flags]",
		Short: "Change an auth client (only the flags given change)",
		Long: `Change an auth client. Only the flags given change; list flags (--scope,
--param, --token-param, --allowed-host) replace the whole list, and an empty
value clears it (--scope ""). Switching to a method that needs a credential
asks for it (or reads it from the flags).`,
		Example: `  authdeck client edit api --scope "read write admin"
  authdeck client edit api --auth-method client_secret_post
  pass show api-new | authdeck client edit api --client-secret-stdin
  authdeck client edit api --expires 2027-06-30 --allowed-host api.example.com`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: a.completeNames(completeClients),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, env, old, err := a.clientNamed(args[0])
			if err != nil {
				return err
			}
			fs := cmd.Flags()
			changed := 0
			fs.Visit(func(fl *pflag.Flag) {
				if fl.Name != "env" {
					changed++
				}
			})
			if changed == 0 {
				return exitWith(exitMissingInput, "auth client %q: nothing to change (give the flags to change; see --help)", old.Name)
			}
			if err := checkProtocolFlags(fs, old.Type); err != nil {
				return err
			}
			if old.Type == vault.ClientOAuth1 {
				return a.editOAuth1Client(cmd, v, env, old, f)
			}
			ac := old
			ac.AuthParams = slices.Clone(old.AuthParams)
			ac.TokenParams = slices.Clone(old.TokenParams)
			if err := f.apply(fs, &ac); err != nil {
				return err
			}
			if err := checkAuthMethod(&ac); err != nil {
				return err
			}
			probe := ac
			if err := probe.Validate(); err != nil {
				return withFlag(err, clientFieldFlags)
			}
			var creds *vault.ClientCredentials
			if f.credsGiven(fs) || ac.AuthMethod != old.AuthMethod {
				stored, err := v.ClientCredentials(cmd.Context(), old)
				if err != nil {
					return err
				}
				if err := a.readCreds(fs, f, &ac, &stored); err != nil {
					return err
				}
				if ac.AuthMethod == vault.AuthNone {
					stored.ClientSecret = ""
				}
				creds = &stored
			}
			ac, err = v.PutClient(cmd.Context(), ac, creds)
			if err != nil {
				return withFlag(err, clientFieldFlags)
			}
			fmt.Fprintf(a.IO.Out, "Updated auth client %q in environment %q.\n", ac.Name, env)
			if creds != nil && f.credsGiven(fs) {
				a.printCredsNote(ac, *creds, v.Backend())
			}
			return nil
		},
	}
	f.bind(cmd.Flags(), true)
	registerClientFlagCompletions(cmd)
	return cmd
}

// clientJSON is the stable JSON form of an auth client (never a credential).
type clientJSON struct {
	vault.AuthClient
	// Expiry is "", "valid", "expires soon" or "expired".
	Expiry string `json:"expiry,omitempty"`
}

// credsJSON describes stored client credentials in `client show --json`.
type credsJSON struct {
	ClientSecret *string `json:"clientSecret,omitempty"`
	PrivateKey   *struct {
		KeyID string `json:"keyId"`
		Alg   string `json:"alg,omitempty"`
	} `json:"privateKey,omitempty"`
	ClientCert bool `json:"clientCert,omitempty"`
	Revealed   bool `json:"revealed"`
}

func newClientListCmd(a *App) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the auth clients of the environment",
		Long:    "List the auth clients of the environment. Reads the catalog only: no vault access.",
		Example: "  authdeck client list\n  authdeck client list --env prod --json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, c, env, err := a.workspace()
			if err != nil {
				return err
			}
			list := c.ClientsIn(env)
			if asJSON {
				out := make([]clientJSON, 0, len(list))
				for _, x := range list {
					out = append(out, clientJSON{AuthClient: x, Expiry: a.expiryState(x.Expiration)})
				}
				return writeJSON(a.IO.Out, out)
			}
			if len(list) == 0 {
				fmt.Fprintf(a.IO.Out, "No auth clients in environment %q. Add one with 'authdeck client add'.\n", env)
				return nil
			}
			t := &table{header: []string{"NAME", "GRANT", "AUTH METHOD", "CLIENT ID", "SERVER", "EXPIRES"}}
			for _, x := range list {
				grant, method := string(x.Grant), string(x.AuthMethod)
				switch x.Type {
				case vault.ClientSessionAuth:
					grant, method = "session auth", string(x.SessionAuth.AuthType)
				case vault.ClientOAuth1:
					grant, method = "OAuth 1.0a", x.SignatureMethod
				case vault.ClientOAuth2:
					// its grant and auth method, as set above
				}
				server := x.Issuer
				switch {
				case server != "":
				case x.SessionAuth != nil:
					server = x.SessionAuth.URL
				default:
					server = x.Endpoints.Token
				}
				t.add(cell{text: x.Name}, cell{text: grant}, cell{text: method}, cell{text: x.ClientID}, cell{text: server}, a.expiryCell(x.Expiration))
			}
			t.render(a, a.IO.Out)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newClientShowCmd(a *App) *cobra.Command {
	var asJSON, reveal bool
	cmd := &cobra.Command{
		Use:   "show NAME",
		Short: "Show an auth client (client secret masked unless --reveal)",
		Long: `Show an auth client's configuration and its stored credentials: the client
secret masked unless --reveal, a private key only by key id (never printed).`,
		Example:           "  authdeck client show api\n  authdeck client show api --json\n  authdeck client show api --reveal",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: a.completeNames(completeClients),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, env, ac, err := a.clientNamed(args[0])
			if err != nil {
				return err
			}
			creds, err := v.ClientCredentials(cmd.Context(), ac)
			if err != nil {
				return err
			}
			cj := credsJSON{Revealed: reveal, ClientCert: creds.Cert != ""}
			if creds.ClientSecret != "" {
				s := maskUnless(reveal, creds.ClientSecret)
				cj.ClientSecret = &s
			}
			if creds.PrivateKey != "" {
				cj.PrivateKey = &struct {
					KeyID string `json:"keyId"`
					Alg   string `json:"alg,omitempty"`
				}{KeyID: ac.KeyID, Alg: ac.SigningAlg}
			}
			if asJSON {
				return writeJSON(a.IO.Out, struct {
					clientJSON
					Credentials credsJSON `json:"credentials"`
				}{clientJSON{AuthClient: ac, Expiry: a.expiryState(ac.Expiration)}, cj})
			}
			a.renderClient(ac, env, cj, reveal)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().BoolVar(&reveal, "reveal", false, "print the client secret (private keys are never printed)")
	return cmd
}

func (a *App) renderClient(ac vault.AuthClient, env string, cj credsJSON, reveal bool) {
	k := &kv{}
	k.add("auth client", ac.Name)
	k.add("environment", env)
	k.add("type", string(ac.Type))
	k.add("issuer", ac.Issuer)
	k.add("request token", ac.Endpoints.RequestToken)
	k.add("authorization", ac.Endpoints.Authorization)
	k.add("token", ac.Endpoints.Token)
	k.add("device", ac.Endpoints.Device)
	k.add("introspection", ac.Endpoints.Introspection)
	k.add("revocation", ac.Endpoints.Revocation)
	k.add("jwks", ac.Endpoints.JWKS)
	k.add("client id", ac.ClientID)
	k.add("auth method", string(ac.AuthMethod))
	if ac.Grant != "" {
		g := string(ac.Grant)
		if ac.Grant.Deprecated() {
			g += " (deprecated)"
		}
		k.add("grant", g)
	}
	k.add("scopes", strings.Join(ac.Scopes, " "))
	k.add("audience", ac.Audience)
	k.add("resource", ac.Resource)
	k.add("redirect uri", ac.RedirectURI)
	k.add("prompt", ac.Prompt)
	for _, p := range ac.AuthParams {
		k.add("auth param", p.Key+"="+p.Value)
	}
	for _, p := range ac.TokenParams {
		k.add("token param", p.Key+"="+p.Value)
	}
	k.add("token method", ac.TokenMethod)
	k.add("signing alg", ac.SigningAlg)
	k.add("PAR endpoint", ac.Endpoints.PAR)
	if ac.DPoP {
		k.add("DPoP", "on; key thumbprint (jkt) "+ac.DPoPKeyID+" (in the vault, never printed)")
	}
	if ac.PAR {
		k.add("pushed requests", "on (RFC 9126), also where the provider does not require them")
	}
	if ac.RequestObject {
		k.add("request objects", "signed (RFC 9101), also where the provider does not require them")
	}
	if x := ac.Exchange; x != nil {
		subject := x.Subject
		if subject == "" {
			subject = "given at each call (stdin)"
		}
		k.add("subject", subject)
		k.add("subject type", x.SubjectTokenType)
		k.add("actor", x.Actor)
		k.add("actor type", x.ActorTokenType)
		k.add("requested type", x.RequestedTokenType)
	}
	if ac.Type == vault.ClientOAuth1 {
		k.add("signature method", ac.SignatureMethod)
		k.add("callback", callbackLabel(ac.Callback))
	}
	if st := ac.SessionAuth; st != nil {
		k.add("token request", string(st.AuthType)+" "+st.URL)
		for _, f := range st.RequestFields {
			k.add("  field", f.Key+"="+f.Value)
		}
		k.add("token path", st.TokenPath)
		k.add("expiration path", st.ExpirationPath)
	}
	if cj.ClientSecret != nil {
		label := "client secret"
		if ac.Type == vault.ClientOAuth1 {
			label = "consumer secret"
		}
		k.add(label, *cj.ClientSecret)
	}
	if cj.PrivateKey != nil {
		k.add("private key", "key id "+cj.PrivateKey.KeyID+" (in the vault, never printed)")
	}
	if cj.ClientCert {
		k.add("client cert", "in the vault")
	}
	if ac.InsecureSkipVerify {
		k.addc("TLS", cell{text: "verification OFF", color: sgrRed})
	}
	k.add("allowed hosts", strings.Join(ac.AllowedHosts, ", "))
	k.add("tenant", ac.Tenant)
	k.add("description", ac.Description)
	k.addc("expires", a.expiryCell(ac.Expiration))
	k.add("created", fmtTime(&ac.Created))
	k.add("updated", fmtTime(&ac.Updated))
	k.render(a, a.IO.Out)
}

func newClientRmCmd(a *App) *cobra.Command {
	return &cobra.Command{
		Use:               "rm NAME",
		Aliases:           []string{"remove"},
		Short:             "Remove an auth client and its stored credentials",
		Example:           "  authdeck client rm api",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: a.completeNames(completeClients),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, c, env, err := a.workspace()
			if err != nil {
				return err
			}
			if err := v.RemoveClient(cmd.Context(), env, args[0]); err != nil {
				return err
			}
			fmt.Fprintf(a.IO.Out, "Removed auth client %q from environment %q.\n", args[0], env)
			linked := 0
			for _, s := range c.SecretsIn(env) {
				if s.AuthClient == args[0] {
					linked++
				}
			}
			if linked > 0 {
				fmt.Fprintf(a.IO.Err, "note: %d secrets linked to it keep their tokens but can no longer refresh\n", linked)
			}
			return nil
		},
	}
}

// ---- keys ----

func newClientKeygenCmd(a *App) *cobra.Command {
	var alg, format string
	var setMethod, force bool
	cmd := &cobra.Command{
		Use:   "keygen NAME [--alg RS256|PS256|ES256] [--set-method]",
		Short: "Generate a key pair for private_key_jwt and print the public key",
		Long: `Generate a key pair for the auth client. The private key goes to the vault as
the client's credentials (it is never printed; its key id is the RFC 7638
thumbprint). The public key is printed as PEM and as a JWKS to register with
the provider. The client's auth method changes to private_key_jwt only with
--set-method; 'authdeck client pubkey NAME' prints the public key again.`,
		Example: `  authdeck client keygen api --alg ES256
  authdeck client keygen api --set-method --format jwks > api.jwks.json`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: a.completeNames(completeClients),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkPubFormat(format); err != nil {
				return err
			}
			switch alg {
			case vault.AlgRS256, vault.AlgPS256, vault.AlgES256:
			default:
				return exitWith(exitOther, "--alg %s: use RS256, PS256 or ES256", alg)
			}
			v, _, ac, err := a.clientNamed(args[0])
			if err != nil {
				return err
			}
			if ac.Type != vault.ClientOAuth2 {
				return exitWith(exitOther, "auth client %q is %s; key pairs are for OAuth clients", ac.Name, ac.Type)
			}
			creds, err := v.ClientCredentials(cmd.Context(), ac)
			if err != nil {
				return err
			}
			if creds.PrivateKey != "" && !force {
				return exitWith(exitOther, "auth client %q already has a private key (key id %s); --force replaces it, and the public key registered with the provider then stops matching", ac.Name, ac.KeyID)
			}
			key, pemText, err := vault.GenerateKeyPair(alg)
			if err != nil {
				return exitWith(exitOther, "--alg %s: use RS256, PS256 or ES256", alg)
			}
			creds.PrivateKey = pemText
			ac.KeyID, ac.SigningAlg = pemkey.Thumbprint(key), alg
			if setMethod {
				ac.AuthMethod = vault.AuthPrivateKeyJWT
			}
			if ac, err = v.PutClient(cmd.Context(), ac, &creds); err != nil {
				return err
			}
			fmt.Fprintf(a.IO.Err, "Generated an %s key pair for auth client %q; the private key is in the %s vault (key id %s) and is never printed.\n",
				alg, ac.Name, vault.BackendLabel(v.Backend()), ac.KeyID)
			fmt.Fprintln(a.IO.Err, "Register this public key with the provider:")
			if err := printPublicKey(a, key, alg, format); err != nil {
				return err
			}
			if setMethod {
				fmt.Fprintf(a.IO.Err, "The client now authenticates with private_key_jwt (%s).\n", alg)
			} else if ac.AuthMethod != vault.AuthPrivateKeyJWT {
				fmt.Fprintf(a.IO.Err, "The client still authenticates with %s; once the key is registered, switch with 'authdeck client edit %s --auth-method private_key_jwt' (or generate with --set-method).\n", ac.AuthMethod, ac.Name)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&alg, "alg", vault.AlgRS256, "key algorithm: RS256, PS256 (RSA 2048) or ES256 (EC P-256)")
	cmd.Flags().BoolVar(&setMethod, "set-method", false, "switch the client to private_key_jwt")
	cmd.Flags().BoolVar(&force, "force", false, "replace an existing private key")
	cmd.Flags().StringVar(&format, "format", "both", "what to print: both, pem or jwks")
	_ = cmd.RegisterFlagCompletionFunc("alg", completeFlagValues("RS256", "PS256", "ES256"))
	_ = cmd.RegisterFlagCompletionFunc("format", completeFlagValues("both", "pem", "jwks"))
	return cmd
}

func checkPubFormat(format string) error {
	switch format {
	case "both", "pem", "jwks":
		return nil
	}
	return exitWith(exitOther, "--format %q: use both, pem or jwks", format)
}

// printPublicKey prints the public half of key as PEM and/or JWKS on stdout.
func printPublicKey(a *App, key any, alg, format string) error {
	if format == "both" || format == "pem" {
		p, err := vault.PublicKeyPEM(key)
		if err != nil {
			return err
		}
		fmt.Fprint(a.IO.Out, p)
	}
	if format == "both" {
		fmt.Fprintln(a.IO.Out)
	}
	if format == "both" || format == "jwks" {
		raw, err := vault.PublicJWKS(key, alg)
		if err != nil {
			return err
		}
		var pretty any
		if err := json.Unmarshal(raw, &pretty); err != nil {
			return err
		}
		return writeJSON(a.IO.Out, pretty)
	}
	return nil
}

func newClientPubkeyCmd(a *App) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:               "pubkey NAME",
		Short:             "Print the public key of an auth client's private key (PEM and JWKS)",
		Example:           "  authdeck client pubkey api\n  authdeck client pubkey api --format jwks",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: a.completeNames(completeClients),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkPubFormat(format); err != nil {
				return err
			}
			v, _, ac, err := a.clientNamed(args[0])
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), 30*time.Second)
			defer cancel()
			creds, err := v.ClientCredentials(ctx, ac)
			if err != nil {
				return err
			}
			if creds.PrivateKey == "" {
				return exitWith(exitNotConfigured, "auth client %q has no private key; create one with 'authdeck client keygen %s'", ac.Name, ac.Name)
			}
			key, err := vault.ParsePrivateKey(creds.PrivateKey)
			if err != nil {
				return exitWith(exitVault, "auth client %q: the stored private key does not parse: %v", ac.Name, err)
			}
			alg := ac.SigningAlg
			if alg == "" || !vault.KeyAlgFits(key, alg) {
				alg = vault.DefaultKeyAlg(key)
			}
			return printPublicKey(a, key, alg, format)
		},
	}
	cmd.Flags().StringVar(&format, "format", "both", "what to print: both, pem or jwks")
	_ = cmd.RegisterFlagCompletionFunc("format", completeFlagValues("both", "pem", "jwks"))
	return cmd
}
