package oauth1_test

import (
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/oauth/oauth1"
	"github.com/authdeck/authdeck/vault"
)

func TestParseAuthorization(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in        string
		wantRealm string
		want      map[string]string
		wantErr   string
	}{
		{
			in:        `OAuth realm="Example", oauth_consumer_key="9djdj82h48djs9d2", oauth_signature="bYT5CMsGcbgUdFHObYMEfcx6bsw%3D"`,
			wantRealm: "Example", want: map[string]string{"oauth_consumer_key": "9djdj82h48djs9d2", "oauth_signature": "bYT5CMsGcbgUdFHObYMEfcx6bsw="},
		},
		{in: "oauth  oauth_a=\"1\" ,\toauth_b=\"x%20y\",", want: map[string]string{"oauth_a": "1", "oauth_b": "x y"}},
		{in: `OAuth`, want: map[string]string{}},
		{in: `OAuth realm="a \"b\""`, wantRealm: `a "b"`, want: map[string]string{}},
		{in: `Bearer abc`, wantErr: "not an OAuth header"},
		{in: `OAuth oauth_a=1`, wantErr: "is not quoted"},
		{in: `OAuth oauth_a`, wantErr: `expected name="value" at byte 7`},
		{in: `OAuth oauth_a="1`, wantErr: "no closing quote"},
		{in: `OAuth oauth_a="1" oauth_b="2"`, wantErr: "expected ','"},
		{in: `OAuth oauth_a="%G1"`, wantErr: "bad percent-encoding"},
		{in: `OAuth ="1"`, wantErr: `expected name="value"`},
	}
	for _, tc := range tests {
		realm, ps, err := oauth1.ParseAuthorization(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: error = %v, want %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		got := map[string]string{}
		for _, p := range ps {
			got[p.Name] = p.Value
		}
		if realm != tc.wantRealm || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: realm %q params %v; want %q %v", tc.in, realm, got, tc.wantRealm, tc.want)
		}
	}
}

// TestParseRequestProblems checks what a server learns from malformed
// signed requests: the problem code to answer with, and why.
func TestParseRequestProblems(t *testing.T) {
	t.Parallel()
	const sig = `oauth_consumer_key="k", oauth_signature_method="HMAC-SHA1", oauth_signature="x"`
	tests := []struct {
		name        string
		target      string
		header      string
		body        string
		wantProblem string
		wantReason  string
	}{
		{name: "nothing", target: "/p", wantProblem: "parameter_absent", wantReason: "no OAuth protocol parameters"},
		{name: "no signature", target: "/p", header: `OAuth oauth_consumer_key="k", oauth_signature_method="PLAINTEXT"`, wantProblem: "parameter_absent", wantReason: "lacks oauth_signature"},
		{name: "no consumer key", target: "/p?oauth_signature=x&oauth_signature_method=PLAINTEXT", wantProblem: "parameter_absent", wantReason: "lacks oauth_consumer_key"},
		{name: "two places", target: "/p?oauth_nonce=1", header: "OAuth " + sig, wantProblem: "parameter_rejected", wantReason: "in one place"},
		{name: "duplicate", target: "/p?oauth_nonce=1&oauth_nonce=2&oauth_consumer_key=k&oauth_signature_method=PLAINTEXT&oauth_signature=x", wantProblem: "parameter_rejected", wantReason: "oauth_nonce appears more than once"},
		{name: "duplicate signature", target: "/p?oauth_signature=x&oauth_signature=x&oauth_consumer_key=k&oauth_signature_method=PLAINTEXT", wantProblem: "parameter_rejected", wantReason: "oauth_signature appears more than once"},
		{name: "two OAuth headers", target: "/p", header: "OAuth " + sig + "\n" + "OAuth " + sig, wantProblem: "parameter_rejected", wantReason: "more than one"},
		{name: "broken header", target: "/p", header: `OAuth oauth_a=1`, wantProblem: "parameter_rejected", wantReason: "does not parse"},
		{name: "broken query", target: "/p?a=%", header: "OAuth " + sig, wantProblem: "parameter_rejected", wantReason: "query does not parse"},
		{name: "broken body", target: "/p", header: "OAuth " + sig, body: "a=%zz", wantProblem: "parameter_rejected", wantReason: "form body does not parse"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			method := "GET"
			var body *strings.Reader
			if tc.body != "" {
				method, body = "POST", strings.NewReader(tc.body)
			}
			var req *http.Request
			if body != nil {
				req, _ = http.NewRequest(method, "http://127.0.0.1:1"+tc.target, body)
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			} else {
				req, _ = http.NewRequest(method, "http://127.0.0.1:1"+tc.target, nil)
			}
			for _, h := range strings.Split(tc.header, "\n") {
				if h != "" {
					req.Header.Add("Authorization", h)
				}
			}
			_, err := oauth1.ParseRequest(req, "")
			var oe *oauth1.Error
			if !errors.As(err, &oe) {
				t.Fatalf("error %v is not an *oauth1.Error", err)
			}
			if oe.Problem != tc.wantProblem || !strings.Contains(oe.Reason, tc.wantReason) {
				t.Errorf("problem %q reason %q; want %q containing %q", oe.Problem, oe.Reason, tc.wantProblem, tc.wantReason)
			}
		})
	}
}

// TestParseRequestIgnoresOtherSchemes checks that a Basic header beside
// query parameters is not mistaken for OAuth.
func TestParseRequestIgnoresOtherSchemes(t *testing.T) {
	t.Parallel()
	req, _ := http.NewRequest(http.MethodGet, "http://h/p?oauth_consumer_key=k&oauth_signature_method=PLAINTEXT&oauth_signature=cs%26", nil)
	req.Header.Set("Authorization", "Basic Zm9vOmJhcg==")
	in, err := oauth1.ParseRequest(req, "")
	if err != nil {
		t.Fatal(err)
	}
	if in.Placement != vault.PlaceQuery || in.Signature != "cs&" {
		t.Errorf("placement %s signature %q", in.Placement, in.Signature)
	}
	if err := in.Verify("cs", "", nil); err != nil {
		t.Errorf("PLAINTEXT verify: %v", err)
	}
}

func TestParseCredentials(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		body    string
		want    *oauth1.Credentials
		wantErr string
	}{
		{
			name: "RFC 5849 §2.1", body: "oauth_token=hdk48Djdsa&oauth_token_secret=xyz4992k83j47x0b&oauth_callback_confirmed=true",
			want: &oauth1.Credentials{Token: "hdk48Djdsa", Secret: "xyz4992k83j47x0b", CallbackConfirmed: true},
		},
		{
			name: "RFC 5849 §2.3 with extras", body: "oauth_token=nnch734d00sl2jdk&oauth_token_secret=pfkkdhi9sl3r4s00&user_id=7&screen_name=jane+doe\n",
			want: &oauth1.Credentials{Token: "nnch734d00sl2jdk", Secret: "pfkkdhi9sl3r4s00", Extra: []oauth1.Param{{Name: "user_id", Value: "7"}, {Name: "screen_name", Value: "jane doe"}}},
		},
		{name: "empty secret is allowed", body: "oauth_token=t&oauth_token_secret=", want: &oauth1.Credentials{Token: "t"}},
		{name: "unconfirmed", body: "oauth_token=t&oauth_token_secret=s&oauth_callback_confirmed=false", want: &oauth1.Credentials{Token: "t", Secret: "s"}},
		{name: "empty", body: "  ", wantErr: "empty"},
		{name: "JSON", body: `{"oauth_token":"t"}`, wantErr: "is JSON"},
		{name: "HTML", body: "<html>login</html>", wantErr: "HTML or XML"},
		{name: "no token", body: "oauth_token_secret=s", wantErr: "no oauth_token"},
		{name: "empty token", body: "oauth_token=&oauth_token_secret=s", wantErr: "no oauth_token"},
		{name: "no secret", body: "oauth_token=t", wantErr: "no oauth_token_secret"},
		{name: "two tokens", body: "oauth_token=t&oauth_token=u&oauth_token_secret=s", wantErr: "oauth_token more than once"},
		{name: "two secrets", body: "oauth_token=t&oauth_token_secret=s&oauth_token_secret=s", wantErr: "oauth_token_secret more than once"},
		{name: "two confirmations", body: "oauth_token=t&oauth_token_secret=s&oauth_callback_confirmed=true&oauth_callback_confirmed=true", wantErr: "oauth_callback_confirmed more than once"},
		{name: "bad encoding", body: "oauth_token=%zz&oauth_token_secret=s", wantErr: "does not parse"},
		{name: "control character", body: "oauth_token=a%0Ab&oauth_token_secret=s", wantErr: "control character"},
		{name: "too large", body: "oauth_token=" + strings.Repeat("a", 1<<20) + "&oauth_token_secret=s", wantErr: "larger than"},
	}
	for _, tc := range tests {
		got, err := oauth1.ParseCredentials([]byte(tc.body))
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: error = %v, want %q", tc.name, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %+v, %v; want %+v", tc.name, got, err, tc.want)
		}
	}
}

func TestParseProblem(t *testing.T) {
	t.Parallel()
	form := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	tests := []struct {
		name   string
		header http.Header
		body   string
		want   *oauth1.Problem
	}{
		{
			"form body", form, "oauth_problem=timestamp_refused&oauth_problem_advice=clock+skew&oauth_acceptable_timestamps=1-2",
			&oauth1.Problem{Code: "timestamp_refused", Advice: "clock skew", Details: []oauth1.Param{{Name: "oauth_acceptable_timestamps", Value: "1-2"}}},
		},
		{"text/plain body", http.Header{"Content-Type": {"text/plain"}}, "oauth_problem=nonce_used", &oauth1.Problem{Code: "nonce_used"}},
		{"header only", http.Header{"Www-Authenticate": {`OAuth realm="x", oauth_problem="signature_invalid"`}}, "<html>no</html>", &oauth1.Problem{Code: "signature_invalid"}},
		{"JSON body is not read as a form", http.Header{"Content-Type": {"application/json"}}, `{"oauth_problem=":"x"}`, nil},
		{"nothing", form, "oauth_token=t", nil},
		{"other header scheme", http.Header{"Www-Authenticate": {`Bearer error="invalid_token"`}}, "", nil},
	}
	for _, tc := range tests {
		got := oauth1.ParseProblem(tc.header, []byte(tc.body))
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func TestParseCallback(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		query        string
		wantVerifier string
		wantKind     oauth.Kind
		wantReason   string
	}{
		{name: "ok", query: "oauth_token=tmp&oauth_verifier=hfdp7dh39dks9884", wantVerifier: "hfdp7dh39dks9884"},
		{name: "ok with extra and encoding", query: "x=1&oauth_verifier=a%2Bb+c&oauth_token=tmp", wantVerifier: "a+b c"},
		{name: "other token", query: "oauth_token=evil&oauth_verifier=v", wantKind: oauth.KindAborted, wantReason: "does not belong to this authorization"},
		{name: "no verifier", query: "oauth_token=tmp", wantKind: oauth.KindMissingInput, wantReason: "no oauth_verifier"},
		{name: "empty verifier", query: "oauth_token=tmp&oauth_verifier=", wantKind: oauth.KindMissingInput, wantReason: "no oauth_verifier"},
		{name: "no token", query: "oauth_verifier=v", wantKind: oauth.KindBadResponse, wantReason: "no oauth_token"},
		{name: "denied (Twitter style)", query: "denied=tmp", wantKind: oauth.KindAborted, wantReason: "refused the authorization"},
		{name: "denied with the token", query: "oauth_token=tmp&denied=tmp", wantKind: oauth.KindAborted, wantReason: "refused"},
		{name: "denied for another token", query: "oauth_token=evil&denied=evil", wantKind: oauth.KindAborted, wantReason: "does not belong"},
		{name: "problem", query: "oauth_token=tmp&oauth_problem=permission_denied&oauth_problem_advice=nope", wantKind: oauth.KindAborted, wantReason: "refused"},
		{name: "unknown problem", query: "oauth_token=tmp&oauth_problem=weird", wantKind: oauth.KindRejected, wantReason: `oauth_problem "weird"`},
		{name: "two verifiers", query: "oauth_token=tmp&oauth_verifier=a&oauth_verifier=b", wantKind: oauth.KindBadResponse, wantReason: "more than once"},
		{name: "two tokens", query: "oauth_token=tmp&oauth_token=tmp&oauth_verifier=a", wantKind: oauth.KindBadResponse, wantReason: "more than once"},
		{name: "bad encoding", query: "oauth_token=tmp&oauth_verifier=%", wantKind: oauth.KindBadResponse, wantReason: "does not parse"},
		{name: "too long", query: "oauth_token=tmp&x=" + strings.Repeat("a", 16<<10), wantKind: oauth.KindBadResponse, wantReason: "longer than"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v, err := oauth1.ParseCallback(tc.query, "tmp")
			if tc.wantVerifier != "" {
				if err != nil || v != tc.wantVerifier {
					t.Fatalf("got %q, %v; want %q", v, err, tc.wantVerifier)
				}
				return
			}
			var oe *oauth1.Error
			if !errors.As(err, &oe) {
				t.Fatalf("error %v is not an *oauth1.Error", err)
			}
			if got := oauth.KindOf(err); got != tc.wantKind || !strings.Contains(oe.Reason, tc.wantReason) {
				t.Errorf("kind %s reason %q; want %s containing %q", got, oe.Reason, tc.wantKind, tc.wantReason)
			}
			if v != "" {
				t.Errorf("verifier %q returned with an error", v)
			}
		})
	}
}
