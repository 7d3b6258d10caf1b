package request

import (
	"bytes"
	"context"
	"io"
	"net/http"

	"github.com/icholy/digest"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/mask"
)

// HTTP digest authentication (RFC 7616, and RFC 2617's MD5): the request
// goes out without credentials, and a 401 carrying a Digest challenge is
// answered once with the response computed from the scheme's username and
// password (MD5, SHA-256, SHA-512-256; qop auth or auth-int).

// takeDigestChallenge keeps the server's Digest challenge when the request
// has a digest scheme; it reports whether there is one to answer.
func takeDigestChallenge(b *built, h http.Header) bool {
	if b.plan.parts.scheme == nil || b.plan.parts.scheme.typ != vault.SchemeDigest || b.scheme.user == "" {
		return false
	}
	chal, err := digest.FindChallenge(h)
	if err != nil {
		return false
	}
	b.scheme.challenge = chal
	return true
}

// answerDigest sends the request again with the answer to the challenge.
func (s *Sender) answerDigest(ctx context.Context, b *built, opts SendOptions) (*Response, error) {
	w := b.real
	body := w.body
	cred, err := digest.Digest(b.scheme.challenge, digest.Options{
		Method: w.method, URI: w.url.RequestURI(), Count: 1,
		Username: b.scheme.user, Password: b.scheme.pass,
		GetBody: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil },
	})
	if err != nil {
		return nil, &InputError{Field: "auth", Msg: err.Error()}
	}
	w.set("Authorization", cred.String())
	b.prep.Headers = append(b.prep.Headers, vault.Header{Name: "Authorization", Value: "Digest username=\"" + b.scheme.user + "\", " + mask.Dots})
	resp, _, err := s.exchange(ctx, b, opts, false)
	return resp, err
}
