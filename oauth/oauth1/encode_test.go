package oauth1_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/oauth/oauth1"
)

func TestEncode(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", ""},
		{"AZaz09-._~", "AZaz09-._~"}, // RFC 3986 unreserved stay
		{" ", "%20"},                 // never '+'
		{"+", "%2B"},
		{"*", "%2A"},
		{"%", "%25"},
		{"%20", "%2520"},
		{"=&?/:#[]@!$'(),;", "%3D%26%3F%2F%3A%23%5B%5D%40%21%24%27%28%29%2C%3B"},
		{"é", "%C3%A9"}, // UTF-8 bytes, uppercase hex
		{"☃", "%E2%98%83"},
		{"😀", "%F0%9F%98%80"},
		{"\x00\x7f\xff", "%00%7F%FF"},
		{"Ünïcødé & +more", "%C3%9Cn%C3%AFc%C3%B8d%C3%A9%20%26%20%2Bmore"},
	}
	for _, tc := range tests {
		if got := oauth1.Encode(tc.in); got != tc.want {
			t.Errorf("Encode(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseForm(t *testing.T) {
	t.Parallel()
	p := func(kv ...string) []oauth1.Param {
		var out []oauth1.Param
		for i := 0; i < len(kv); i += 2 {
			out = append(out, oauth1.Param{Name: kv[i], Value: kv[i+1]})
		}
		return out
	}
	tests := []struct {
		in      string
		want    []oauth1.Param
		wantErr string
	}{
		{in: "", want: nil},
		{in: "c2&a3=2+q", want: p("c2", "", "a3", "2 q")},
		{in: "b5=%3D%253D&a3=a&c%40=&a2=r%20b", want: p("b5", "=%3D", "a3", "a", "c@", "", "a2", "r b")},
		{in: "a=1&&b=2&", want: p("a", "1", "b", "2")},
		{in: "a=1&a=1&a=0", want: p("a", "1", "a", "1", "a", "0")},
		{in: "x=a=b", want: p("x", "a=b")},
		{in: "t=%C3%A9%7e~", want: p("t", "é~~")},
		{in: "a=1&b=%zz", wantErr: `parameter "b" (at byte 5): value: bad percent-encoding "%zz" at byte 1`},
		{in: "a=%4", wantErr: `bad percent-encoding "%4"`},
		{in: "%=1", wantErr: "parameter 1 (at byte 1): name"},
	}
	for _, tc := range tests {
		got, err := oauth1.ParseForm(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseForm(%q) error = %v, want it to contain %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseForm(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestParseFormBounded(t *testing.T) {
	t.Parallel()
	if _, err := oauth1.ParseForm(strings.Repeat("a=1&", 1001)); err == nil || !strings.Contains(err.Error(), "more than 1000") {
		t.Errorf("1001 parameters: error = %v", err)
	}
	if ps, err := oauth1.ParseForm(strings.Repeat("a=1&", 1000)); err != nil || len(ps) != 1000 {
		t.Errorf("1000 parameters: %d, %v", len(ps), err)
	}
}

func TestBaseStringURI(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want, wantErr string }{
		// RFC 5849 §3.4.1.2 examples.
		{in: "HTTP://EXAMPLE.COM:80/r%20v/X?id=123", want: "http://example.com/r%20v/X"},
		{in: "https://www.example.net:8080/?q=1", want: "https://www.example.net:8080/"},
		{in: "https://example.com:443/a", want: "https://example.com/a"},
		{in: "http://example.com:443/", want: "http://example.com:443/"},
		{in: "https://example.com:80/", want: "https://example.com:80/"},
		{in: "http://example.com", want: "http://example.com/"},
		{in: "http://user:pw@Example.com/p#frag", want: "http://example.com/p"},
		{in: "http://[::1]:8080/x", want: "http://[::1]:8080/x"},
		{in: "http://[::1]/x", want: "http://[::1]/x"},
		{in: "http://127.0.0.1:5000/a%2Fb", want: "http://127.0.0.1:5000/a%2Fb"},
		{in: "ftp://example.com/", wantErr: "scheme must be http or https"},
		{in: "/relative", wantErr: "scheme must be http or https"},
		{in: "http:///nohost", wantErr: "has no host"},
	}
	for _, tc := range tests {
		got, err := oauth1.BaseString("GET", tc.in, nil)
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
		_, uri, _ := strings.Cut(got, "&")
		uri, _, _ = strings.Cut(uri, "&")
		if want := oauth1.Encode(tc.want); uri != want {
			t.Errorf("%s: base string URI %s, want %s", tc.in, uri, want)
		}
	}
}

func TestNormalizeParamsOrder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   []oauth1.Param
		want string
	}{
		{"by name then value, duplicates kept", []oauth1.Param{{"b", "2"}, {"a", "2"}, {"a", "10"}, {"a", "2"}}, "a=10&a=2&a=2&b=2"},
		{"byte order: uppercase first", []oauth1.Param{{"a", ""}, {"B", ""}, {"A", ""}}, "A=&B=&a="},
		// Sorting is on the encoded form: "a b" → "a%20b" sorts before "a-b" ('%' < '-').
		{"encoded names", []oauth1.Param{{"a-b", "1"}, {"a b", "1"}}, "a%20b=1&a-b=1"},
		{"encoded values", []oauth1.Param{{"x", "~"}, {"x", " "}, {"x", "+"}}, "x=%20&x=%2B&x=~"},
		{"empty", nil, ""},
	}
	for _, tc := range tests {
		if got := oauth1.NormalizeParams(tc.in); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestSigningKey(t *testing.T) {
	t.Parallel()
	tests := []struct{ cs, ts, want string }{
		{"kd94hf93k423kf44", "pfkkdhi9sl3r4s00", "kd94hf93k423kf44&pfkkdhi9sl3r4s00"},
		{"ja893SD9", "", "ja893SD9&"},
		{"", "", "&"},
		{"a&b", "c d", "a%26b&c%20d"},
	}
	for _, tc := range tests {
		if got := oauth1.SigningKey(tc.cs, tc.ts); got != tc.want {
			t.Errorf("SigningKey(%q, %q) = %q, want %q", tc.cs, tc.ts, got, tc.want)
		}
	}
}
