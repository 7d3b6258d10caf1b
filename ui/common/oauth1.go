package common

import (
	"fmt"
	"strings"

	"github.com/authdeck/authdeck/oauth/oauth1"
	"github.com/authdeck/authdeck/vault"
)

// OAuth1Target resolves what an OAuth 1.0a flow works on, from catalog
// metadata only: the auth client client of env and its token secret —
// secret when named, else the one called like the client, else the only
// one linked to it, else nil (nothing authorized yet). With client empty,
// secret names an OA1_TOKEN secret and its client is the one it links to.
// Failures are *oauth1.Error values that say what to fix.
func OAuth1Target(cat *vault.Catalog, env, client, secret string) (*vault.AuthClient, *vault.Secret, error) {
	notConfigured := func(hint, format string, args ...any) error {
		return &oauth1.Error{Kind: oauth1.KindNotConfigured, Op: "configuration", Reason: fmt.Sprintf(format, args...), Hint: hint}
	}
	if cat == nil {
		return nil, nil, notConfigured("", "the catalog has not been read yet")
	}
	var sec *vault.Secret
	if secret != "" {
		s, ok := cat.Secret(env, secret)
		if ok {
			if s.Type != vault.TypeOAuth1Token {
				return nil, nil, notConfigured("name an OA1_TOKEN secret, or leave the name empty to use the client's own",
					"secret %q is a %s, not OAuth 1.0a token credentials", s.Name, s.Type)
			}
			if client == "" {
				client = s.AuthClient
			}
			if s.AuthClient != "" && s.AuthClient != client {
				return nil, nil, notConfigured("", "OAuth 1.0a token secret %q belongs to auth client %q, not %q", s.Name, s.AuthClient, client)
			}
			cp := *s
			sec = &cp
		} else if client == "" {
			return nil, nil, &vault.NotFoundError{Kind: "OAuth 1.0a token secret", Name: secret, Env: env}
		}
	}
	if client == "" {
		return nil, nil, notConfigured("edit the secret and link it to its OAuth 1.0a auth client",
			"OAuth 1.0a token secret %q names no auth client, so there is no consumer to authorize", secret)
	}
	ac, ok := cat.Client(env, client)
	if !ok {
		return nil, nil, &vault.NotFoundError{Kind: "auth client", Name: client, Env: env}
	}
	if ac.Type != vault.ClientOAuth1 {
		return nil, nil, notConfigured("", "auth client %q is not an OAuth 1.0a client (it is %s)", ac.Name, ac.Type)
	}
	cp := *ac
	if sec != nil || secret != "" {
		return &cp, sec, nil
	}
	var linked []vault.Secret
	for _, s := range cat.SecretsIn(env) {
		if s.Type == vault.TypeOAuth1Token && s.AuthClient == ac.Name {
			if s.Name == ac.Name {
				linked = []vault.Secret{s}
				break
			}
			linked = append(linked, s)
		}
	}
	switch len(linked) {
	case 0:
		return &cp, nil, nil
	case 1:
		return &cp, &linked[0], nil
	}
	names := make([]string, len(linked))
	for i, s := range linked {
		names[i] = s.Name
	}
	return nil, nil, notConfigured("open one of them from the list of secrets",
		"auth client %q has several token secrets (%s)", ac.Name, strings.Join(names, ", "))
}
