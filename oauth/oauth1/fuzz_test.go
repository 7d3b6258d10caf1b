package oauth1_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/oauth/oauth1"
)

func encodeForm(ps []oauth1.Param) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = oauth1.Encode(p.Name) + "=" + oauth1.Encode(p.Value)
	}
	return strings.Join(parts, "&")
}

// FuzzParseCredentials feeds provider answers to the credentials parser
// (S-36): it must never panic, and what it accepts must survive a round trip.
func FuzzParseCredentials(f *testing.F) {
	for _, s := range []string{
		"oauth_token=hh5s93j4hdidpola&oauth_token_secret=hdhd0244k9j7ao03&oauth_callback_confirmed=true",
		"oauth_token=nnch734d00sl2jdk&oauth_token_secret=pfkkdhi9sl3r4s00&user_id=1&screen_name=a+b",
		"oauth_token=t&oauth_token=u&oauth_token_secret=",
		"oauth_problem=token_rejected",
		`{"oauth_token":"x"}`,
		"<html></html>",
		"oauth_token=%zz",
		"&&&=&=",
		"oauth_token=%E2%98%83&oauth_token_secret=%00",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := oauth1.ParseCredentials(body)
		if err != nil {
			if c != nil {
				t.Fatal("credentials returned with an error")
			}
			return
		}
		if c.Token == "" {
			t.Fatal("accepted credentials without a token")
		}
		ps := []oauth1.Param{{Name: "oauth_token", Value: c.Token}, {Name: "oauth_token_secret", Value: c.Secret}}
		if c.CallbackConfirmed {
			ps = append(ps, oauth1.Param{Name: "oauth_callback_confirmed", Value: "true"})
		}
		ps = append(ps, c.Extra...)
		again, err := oauth1.ParseCredentials([]byte(encodeForm(ps)))
		if err != nil {
			t.Fatalf("re-encoded credentials do not parse: %v", err)
		}
		if again.Token != c.Token || again.Secret != c.Secret || again.CallbackConfirmed != c.CallbackConfirmed || len(again.Extra) != len(c.Extra) {
			t.Fatalf("round trip changed the credentials: %+v vs %+v", again, c)
		}
	})
}

// FuzzParseCallback feeds callback queries (S-36): never a panic, and a
// verifier only for a query naming the temporary token exactly once.
func FuzzParseCallback(f *testing.F) {
	for _, s := range []string{
		"oauth_token=tmp&oauth_verifier=hfdp7dh39dks9884",
		"oauth_token=tmp&oauth_token=tmp&oauth_verifier=v",
		"denied=tmp",
		"oauth_token=other&oauth_verifier=v",
		"oauth_token=tmp&oauth_problem=user_refused",
		"oauth_token=tmp&oauth_verifier=%",
		"oauth_token=t%6Dp&oauth_verifier=+",
		"",
	} {
		f.Add(s, "tmp")
	}
	f.Fuzz(func(t *testing.T, query, tmp string) {
		v, err := oauth1.ParseCallback(query, tmp)
		if err != nil {
			if v != "" {
				t.Fatal("verifier returned with an error")
			}
			return
		}
		if v == "" {
			t.Fatal("empty verifier accepted")
		}
		ps, perr := oauth1.ParseForm(query)
		if perr != nil {
			t.Fatalf("accepted a query that does not parse: %v", perr)
		}
		tokens := 0
		for _, p := range ps {
			if p.Name == "oauth_token" {
				tokens++
				if p.Value != tmp {
					t.Fatalf("accepted oauth_token %q for temporary token %q", p.Value, tmp)
				}
			}
		}
		if tokens != 1 {
			t.Fatalf("accepted a callback with %d oauth_token parameters", tokens)
		}
	})
}

// FuzzParseAuthorization feeds Authorization and WWW-Authenticate header
// values (S-36): never a panic, and what parses formats and parses back the same.
func FuzzParseAuthorization(f *testing.F) {
	for _, s := range []string{
		`OAuth realm="Example", oauth_consumer_key="9djdj82h48djs9d2", oauth_signature="bYT5CMsGcbgUdFHObYMEfcx6bsw%3D"`,
		`OAuth realm="a \"b\"",oauth_a="1"`,
		`oauth oauth_a="%E2%98%83"`,
		`OAuth oauth_a=1`,
		`OAuth oauth_a="`,
		`Bearer x`,
		`OAuth ,,,`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		realm, ps, err := oauth1.ParseAuthorization(h)
		if err != nil {
			return
		}
		out, err := oauth1.AuthorizationHeader(realm, ps)
		if err != nil {
			return // a realm with control characters cannot be sent back
		}
		realm2, ps2, err := oauth1.ParseAuthorization(out)
		if err != nil {
			t.Fatalf("formatted header %q does not parse: %v", out, err)
		}
		if realm2 != realm || !reflect.DeepEqual(ps2, ps) && (len(ps) != 0 || len(ps2) != 0) {
			t.Fatalf("round trip changed the header: %q %v vs %q %v", realm2, ps2, realm, ps)
		}
	})
}

// FuzzParseForm checks the form parser used on queries, bodies and
// responses: never a panic, and a round trip through Encode keeps the pairs.
func FuzzParseForm(f *testing.F) {
	for _, s := range []string{"b5=%3D%253D&a3=a&c%40=&a2=r%20b", "c2&a3=2+q", "%", "a=%zz", "&&=&", "é=ü"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ps, err := oauth1.ParseForm(s)
		if err != nil {
			return
		}
		again, err := oauth1.ParseForm(encodeForm(ps))
		if err != nil {
			t.Fatalf("re-encoded form does not parse: %v", err)
		}
		if len(ps) == 0 && len(again) == 0 {
			return
		}
		// Pairs with an empty name and value vanish ("=" and "" both skip or keep empty).
		if !reflect.DeepEqual(again, ps) {
			t.Fatalf("round trip changed the form: %v vs %v", again, ps)
		}
	})
}
