package main

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/vault"
)

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
	// shared shares the credentials with the team (a team workspace)
	shared bool
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
	fs.BoolVar(&f.shared, "shared", false, "share the credentials with the team: encrypted to the team's keys in the team workspace folder")
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
		fs.BoolVar(&f.oauth1, "oauth1", false, "an OAuth 1.0a client (RFC 5849): give --request-token-url, --auth-url, --token-url, --client-id and --signature-method (no flow URL at all: a client that signs with stored token credentials)")
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
func (f *clientFlags) apply(changed func(string) bool, ac *vault.AuthClient) error {
	set := func(name string, dst *string, v string) {
		if changed(name) {
			*dst = v
		}
	}
	if f.shared {
		ac.Shared = true
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
	if changed("auth-method") {
		ac.AuthMethod = vault.AuthMethod(f.authMethod)
	}
	if changed("grant") {
		ac.Grant = vault.Grant(f.grant)
	}
	if changed("allow-deprecated") {
		ac.AllowDeprecated = f.allowDeprecated
	}
	if changed("insecure-skip-verify") {
		ac.InsecureSkipVerify = f.insecure
	}
	if changed("scope") {
		ac.Scopes = splitList(f.scopes)
	}
	if changed("allowed-host") {
		ac.AllowedHosts = splitList(f.allowedHosts)
	}
	if changed("param") {
		p, err := parseParams("--param", f.params)
		if err != nil {
			return err
		}
		ac.AuthParams = p
	}
	if changed("token-param") {
		p, err := parseParams("--token-param", f.tokenParams)
		if err != nil {
			return err
		}
		ac.TokenParams = p
	}
	if changed("expires") {
		exp, err := parseExpiresFlag(f.expires)
		if err != nil {
			return err
		}
		ac.Expiration = exp
	}
	if changed("callback") {
		cb, err := parseCallbackFlag(f.callback)
		if err != nil {
			return err
		}
		ac.Callback = cb
	}
	set("par-url", &ac.Endpoints.PAR, f.parURL)
	if changed("par") {
		ac.PAR = f.par
	}
	if changed("request-object") {
		ac.RequestObject = f.requestObject
	}
	return f.applyExchange(changed, ac)
}

// applyExchange sets the token exchange configuration from its flags.
func (f *clientFlags) applyExchange(changed func(string) bool, ac *vault.AuthClient) error {
	names := []string{"subject", "subject-token-type", "actor", "actor-token-type", "requested-token-type"}
	given := false
	for _, n := range names {
		given = given || changed(n)
	}
	if !given {
		return nil
	}
	x := vault.TokenExchange{}
	if ac.Exchange != nil {
		x = *ac.Exchange
	}
	if changed("subject") {
		x.Subject = f.subject
	}
	if changed("actor") {
		x.Actor = f.actor
	}
	for _, t := range []struct {
		flag string
		v    string
		dst  *string
	}{{"--subject-token-type", f.subjectTokenType, &x.SubjectTokenType}, {"--actor-token-type", f.actorTokenType, &x.ActorTokenType}, {"--requested-token-type", f.requestedTT, &x.RequestedTokenType}} {
		if !changed(strings.TrimPrefix(t.flag, "--")) {
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
