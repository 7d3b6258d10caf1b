package interchange

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/lazyre"
	"github.com/authdeck/authdeck/vault/secretlike"
)

// parsePostmanEnv imports a Postman environment's variables.
func parsePostmanEnv(c pmCollection, opts RequestImportOptions) (vault.Batch, []Note, error) {
	im := newReqImporter(opts)
	env := opts.Env
	if env == "" {
		env = strings.TrimSpace(c.Name)
		origin := "from the Postman environment"
		if env == "" {
			// Postman exports an environment without a name when it has
			// none; its file's name is what the user called it.
			env = pmEnvNameFromPath(opts.Path)
			if env == "" {
				return vault.Batch{}, nil, &vault.ValidationError{Kind: "import", Field: "env", Msg: "is required: the Postman environment has no name; import it into an environment with --env NAME"}
			}
			origin = "from the Postman environment, which has no name: named after its file"
		}
		if err := vault.ValidateName("environment", env); err != nil {
			return vault.Batch{}, nil, err
		}
		exists := false
		if opts.Catalog != nil {
			_, exists = opts.Catalog.Env(env)
		}
		if !exists {
			im.batch.Envs = append(im.batch.Envs, vault.Environment{Name: env})
			im.note(NoteCreated, fmt.Sprintf("environment %q", env), "%s", origin)
		}
		im.useEnv(env)
	} else if opts.Catalog != nil {
		if _, ok := opts.Catalog.Env(env); !ok {
			return vault.Batch{}, nil, &vault.NotFoundError{Kind: "environment", Name: env}
		}
	}
	p := &pmParser{im: im}
	for _, v := range c.Values {
		p.variable(v, "the Postman environment")
	}
	return im.finish()
}

// pmEnvNameFromPath is the environment name a nameless Postman environment
// takes from its file (staging.postman_environment.json: "staging"); empty
// when it was read from stdin.
func pmEnvNameFromPath(path string) string {
	if path == "" || path == "-" {
		return ""
	}
	name := filepath.Base(path)
	for _, ext := range []string{".postman_environment.json", ".json"} {
		if strings.HasSuffix(strings.ToLower(name), ext) {
			name = name[:len(name)-len(ext)]
			break
		}
	}
	return strings.TrimSpace(name)
}

// pmSecretVariable says whether a Postman variable (of a collection or an
// environment) is a credential slot whose value belongs in the vault. A
// name that says credential (client_secret, apiKey, password, token) makes
// it one whatever its value, an empty slot or a placeholder included, so
// the value a user sets later goes to the vault too. A name that says
// identifier or address (client_id, username, tokenUrl, keyId) keeps it
// plain whatever its value; otherwise a value that looks like a credential
// (a JWT, a vendor key, a long random string) makes it secret, a
// placeholder ("<string>", "YOUR_API_KEY") does not.
func pmSecretVariable(name, value string) bool {
	if identifierName(name) {
		return false
	}
	if credentialName(name) {
		return true
	}
	if isPlaceholder(value) {
		return false
	}
	return secretlike.Value(value)
}

// credentialWords are the words of a name that make it a credential slot;
// credentialParts make any word holding them one (clientsecret, authtoken).
var (
	credentialWords = map[string]bool{
		"key": true, "auth": true, "authorization": true, "cookie": true, "session": true, "sessionid": true,
		"signature": true, "sig": true, "otp": true, "jwt": true, "assertion": true, "pwd": true, "pin": true,
		"cvv": true, "cvc": true, "pan": true, "private": true,
	}
	credentialParts = []string{"secret", "password", "passwd", "passphrase", "token", "apikey", "credential", "privatekey"}
)

// credentialName reports a name that says credential, word by word
// (apiKey, client_secret, X-Auth-Token, card_pin), so "author" or
// "monkey" do not count.
func credentialName(name string) bool {
	for _, w := range nameWords(name) {
		if credentialWords[w] {
			return true
		}
		for _, p := range credentialParts {
			if strings.Contains(w, p) {
				return true
			}
		}
	}
	return false
}

// identifierTail are the last words of a name that make it an identifier,
// an address or a setting rather than a credential.
var identifierTail = map[string]bool{
	"id": true, "ids": true, "url": true, "uri": true, "urls": true, "endpoint": true, "host": true, "hostname": true,
	"domain": true, "type": true, "name": true, "username": true, "user": true, "email": true, "login": true,
	"expiry": true, "expires": true, "expiration": true, "timeout": true, "ttl": true, "lifetime": true,
	"header": true, "location": true, "path": true, "prefix": true, "length": true, "scope": true, "scopes": true,
	"version": true, "method": true, "format": true, "mode": true, "count": true, "placement": true, "in": true,
	"audience": true, "issuer": true, "realm": true, "region": true, "tenant": true,
}

// identifierName reports a name whose last word is in identifierTail
// (clientId, client_id, tokenUrl, api-key-header, username).
func identifierName(name string) bool {
	words := nameWords(name)
	return len(words) > 0 && identifierTail[words[len(words)-1]]
}

// nameWords splits a name at punctuation and camelCase into lower-case words.
func nameWords(name string) []string {
	var words []string
	var cur []rune
	prevLower := false
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	for _, r := range name {
		switch {
		case r >= 'A' && r <= 'Z':
			if prevLower {
				flush()
			}
			cur = append(cur, r)
			prevLower = false
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 0x7f:
			cur = append(cur, r)
			prevLower = true
		default:
			flush()
			prevLower = false
		}
	}
	flush()
	return words
}

// placeholderValue matches the stand-ins API docs put where a value goes:
// <string>, <your-token>, {token}, YOUR_API_KEY, your-secret-here, xxxxx.
var placeholderValue = lazyre.New(`(?i)^(<[^<>]*>|\{[^{}]*\}|\[[^\[\]]*\]|your[_\- ].*|.*[_\- ]here|x{4,}|\*{3,}|change[_\- ]?me|todo|tbd|null|undefined|placeholder)$`)

// isPlaceholder reports a value that stands for one to fill in.
func isPlaceholder(v string) bool {
	return placeholderValue.MatchString(strings.TrimSpace(v))
}
