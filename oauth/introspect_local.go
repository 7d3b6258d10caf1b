package oauth

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/authdeck/authdeck/vault"
)

// CheckResult is the outcome of one local check of a JWT access token.
type CheckResult int

// Local check outcomes.
const (
	// CheckSkipped means there was nothing to check against.
	CheckSkipped CheckResult = iota
	// CheckPassed means the claim is what it must be.
	CheckPassed
	// CheckFailed means the claim makes the token unusable.
	CheckFailed
)

// String returns "passed", "failed" or "not checked".
func (c CheckResult) String() string {
	switch c {
	case CheckPassed:
		return "passed"
	case CheckFailed:
		return "failed"
	case CheckSkipped:
		// not checked, below
	}
	return "not checked"
}

// LocalCheck is one check of a locally verified JWT access token.
type LocalCheck struct {
	// Name is the claim or property checked: signature, exp, aud, iss, scope.
	Name string
	// Result is passed, failed or not checked.
	Result CheckResult
	// Detail says what was compared, in a few words.
	Detail string
}

// LocalVerification is how authdeck judged a JWT access token itself when
// the provider would not introspect it (RFC 9068 §4 validation: signature
// against the issuer's JWKS, exp, aud, iss, and the scope the vault holds).
type LocalVerification struct {
	// Why says why the provider was not asked or did not answer.
	Why string
	// JWKSURL is the key set the signature was checked against.
	JWKSURL string
	// KeyID is the key that verified the signature.
	KeyID string
	// Checks are the checks in order: signature, exp, aud, iss, scope.
	Checks []LocalCheck
}

// Passed reports whether the signature verified and no check failed.
func (l *LocalVerification) Passed() bool {
	if l == nil || len(l.Checks) == 0 || l.Checks[0].Result != CheckPassed {
		return false
	}
	for _, c := range l.Checks {
		if c.Result == CheckFailed {
			return false
		}
	}
	return true
}

// verifyLocally judges a JWT access token without the provider: its
// signature against the issuer's JWKS, then exp (and nbf), aud against the
// auth client's audience or resource, iss against the issuer, and scope
// against what the vault records as granted.
func (f *flow) verifyLocally(ctx context.Context, token string, j *JWT, val *vault.SecretValue, why string) *Introspection {
	now := f.e.now()
	lv := &LocalVerification{Why: why}
	sig := LocalCheck{Name: "signature"}
	if err := f.needEndpoints(ctx, false, "jwks"); err != nil {
		sig.Detail = "no key set to check against: " + err.Error()
	} else {
		lv.JWKSURL = f.eps.JWKS
		v := f.verifySignature(ctx, token, f.eps.JWKS)
		sig.Detail = v.Reason
		switch v.Status {
		case Verified:
			sig.Result, lv.KeyID = CheckPassed, v.KeyID
			sig.Detail = "matches key " + sanitize(v.KeyID, 80) + " of the issuer's JWKS"
		case VerifyFailed:
			sig.Result = CheckFailed
		case NotVerified:
			// skipped, with the reason as detail
		}
	}
	lv.Checks = append(lv.Checks, sig)

	exp := LocalCheck{Name: "exp"}
	switch {
	case j.Expiry == nil:
		exp.Result, exp.Detail = CheckFailed, "the token has no exp claim (RFC 9068 requires one)"
	case !now.Before(*j.Expiry):
		exp.Result, exp.Detail = CheckFailed, "expired "+HumanTime(*j.Expiry, now)
	case j.NotBefore != nil && now.Before(*j.NotBefore):
		exp.Result, exp.Detail = CheckFailed, "not valid before "+HumanTime(*j.NotBefore, now)
	default:
		exp.Result, exp.Detail = CheckPassed, "expires "+HumanTime(*j.Expiry, now)
	}
	lv.Checks = append(lv.Checks, exp)

	aud := LocalCheck{Name: "aud"}
	var want []string
	for _, a := range []string{f.ac.Audience, f.ac.Resource} {
		if a != "" && !slices.Contains(want, a) {
			want = append(want, a)
		}
	}
	got := sanitize(strings.Join(j.Audience, " "), 300)
	switch {
	case len(want) == 0:
		aud.Detail = fmt.Sprintf("aud is %q; the auth client names no audience or resource to compare", got)
	case slices.ContainsFunc(want, func(a string) bool { return slices.Contains(j.Audience, a) }):
		aud.Result, aud.Detail = CheckPassed, fmt.Sprintf("aud %q names %s", got, strings.Join(want, " or "))
	default:
		aud.Result, aud.Detail = CheckFailed, fmt.Sprintf("aud %q does not name %s", got, strings.Join(want, " or "))
	}
	lv.Checks = append(lv.Checks, aud)

	iss := LocalCheck{Name: "iss"}
	issuer := f.ac.Issuer
	if f.md != nil {
		issuer = f.md.Issuer
	}
	switch {
	case issuer == "":
		iss.Detail = fmt.Sprintf("iss is %q; the auth client has no issuer to compare", sanitize(j.Issuer, 200))
	case j.Issuer == issuer:
		iss.Result, iss.Detail = CheckPassed, "the auth client's issuer"
	default:
		iss.Result, iss.Detail = CheckFailed, fmt.Sprintf("iss %q is not the issuer %q", sanitize(j.Issuer, 200), issuer)
	}
	lv.Checks = append(lv.Checks, iss)

	sc := LocalCheck{Name: "scope"}
	granted := splitScopes(val.Scope)
	switch {
	case len(j.Scopes) == 0:
		sc.Detail = "the token carries no scope or scp claim"
	case len(granted) == 0:
		sc.Result, sc.Detail = CheckPassed, "carries "+sanitize(strings.Join(j.Scopes, " "), 300)
	default:
		if missing := scopeDiff(granted, j.Scopes); len(missing) > 0 {
			sc.Result, sc.Detail = CheckFailed, "lacks "+sanitize(strings.Join(missing, " "), 300)+", which the vault records as granted"
		} else {
			sc.Result, sc.Detail = CheckPassed, "carries every granted scope ("+sanitize(strings.Join(granted, " "), 300)+")"
		}
	}
	lv.Checks = append(lv.Checks, sc)

	in := &Introspection{Local: lv, Extra: map[string]string{}}
	in.Active = lv.Passed()
	in.Scope = strings.Join(j.Scopes, " ")
	in.Scopes = slices.Clone(j.Scopes)
	str := func(k string) string { s, _ := j.Claims[k].(string); return sanitize(s, 200) }
	in.ClientID = str("client_id")
	if in.ClientID == "" {
		in.ClientID = str("azp")
	}
	in.Subject, in.Issuer, in.JTI = sanitize(j.Subject, 200), sanitize(j.Issuer, 200), str("jti")
	in.Username = str("preferred_username")
	for _, a := range j.Audience {
		in.Audience = append(in.Audience, sanitize(a, 200))
	}
	in.Expiry, in.IssuedAt, in.NotBefore = j.Expiry, j.IssuedAt, j.NotBefore
	if typ, _ := j.Header["typ"].(string); typ != "" {
		in.TokenType = sanitize(typ, 40)
	}
	if cnf, ok := j.Claims["cnf"].(map[string]any); ok {
		if jkt, ok := cnf["jkt"].(string); ok {
			in.Extra["cnf.jkt"] = sanitize(jkt, 80)
		}
	}
	return in
}
