package oauth

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
)

// TransportError classifies a failed round trip to target during step
// (cancelled, timed out, TLS, unreachable) as a flow error whose reason never
// carries the URL's query. The OAuth 1.0a client words its failures with it
// too.
func TransportError(ctx context.Context, step, target string, err error) *Error {
	host := target
	if u, perr := url.Parse(target); perr == nil {
		host = u.Host
	}
	if errors.Is(ctx.Err(), context.Canceled) {
		return &Error{Kind: KindAborted, Op: step, Reason: "cancelled", Err: context.Canceled}
	}
	var ne net.Error
	var cve *tls.CertificateVerificationError
	var uae x509.UnknownAuthorityError
	var hne x509.HostnameError
	var rhe tls.RecordHeaderError
	switch {
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		return &Error{
			Kind: KindUnreachable, Op: step, Reason: fmt.Sprintf("%s did not answer in time", host),
			Hint: "check the URL and your network, then try again",
		}
	case errors.As(err, &cve), errors.As(err, &uae), errors.As(err, &hne), errors.As(err, &rhe):
		return &Error{
			Kind: KindUnreachable, Op: step, Reason: fmt.Sprintf("TLS with %s failed: %s", host, sanitize(unwrapURL(err).Error(), 200)),
			Hint: "check the URL; for a test server with a private CA, trust the CA (turning verification off is a per-client choice: insecureSkipVerify)",
		}
	}
	return &Error{
		Kind: KindUnreachable, Op: step, Reason: fmt.Sprintf("cannot reach %s: %s", host, sanitize(unwrapURL(err).Error(), 200)),
		Hint: "check the URL and that the server is running",
	}
}

func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// ---- endpoints ----
