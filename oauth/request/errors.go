package request

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/vault"
)

// HostRefusedError says a credential was not sent because the request's
// host is outside its allowedHosts (S-34). Nothing left the process.
type HostRefusedError struct {
	// Credential names the secret or auth client.
	Credential string
	// Host is the refused host (host:port as in the URL).
	Host string
	// Allowed are the credential's allowedHosts patterns.
	Allowed []string
}

func (e *HostRefusedError) Error() string {
	return fmt.Sprintf("refusing to send credential %q to %s: its allowedHosts are %s; nothing was sent", e.Credential, e.Host, strings.Join(e.Allowed, ", "))
}

// Is makes errors.Is(err, vault.ErrNotConfigured) true: the credential is
// not configured for that host.
func (e *HostRefusedError) Is(target error) bool { return target == vault.ErrNotConfigured }

// CredentialError says a configured credential cannot be applied; the request
// was not sent (S-22: a configured credential never silently sends without auth).
type CredentialError struct {
	Credential string
	Msg        string
	Err        error
}

func (e *CredentialError) Error() string {
	msg := fmt.Sprintf("credential %q: %s", e.Credential, e.Msg)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg + "; nothing was sent"
}

func (e *CredentialError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, vault.ErrNotConfigured) true when nothing the
// error wraps says what went wrong (a missing item, missing input, a server
// that refused or cannot be reached, a store failure …): then the
// credential itself is what is not usable as configured.
func (e *CredentialError) Is(target error) bool {
	if target != vault.ErrNotConfigured || e.Err == nil {
		return target == vault.ErrNotConfigured
	}
	switch oauth.KindOf(e.Err) {
	case oauth.KindOther, oauth.KindBadResponse:
		return true
	case oauth.KindNotConfigured, oauth.KindMissingInput, oauth.KindAborted, oauth.KindUnreachable,
		oauth.KindUnsupportedTokenType, oauth.KindRejected, oauth.KindVault:
	}
	return false
}

// InputError says a part of the request (its URL, a header, the body, a
// {{variable}}) is wrong; nothing was sent.
type InputError struct {
	// Field names the part: "url", "header \"X-Id\"", "body", "placement".
	Field string
	Msg   string
	Err   error
}

func (e *InputError) Error() string {
	msg := e.Field + ": " + e.Msg
	if e.Err != nil {
		if e.Msg != "" {
			msg += ": "
		}
		msg += e.Err.Error()
	}
	return msg
}

func (e *InputError) Unwrap() error { return e.Err }

// TransportError says the server could not be reached or the exchange broke
// off: DNS, connection, TLS, timeout.
type TransportError struct {
	// Host is the host:port that was being contacted.
	Host string
	// Reason is a short plain-words cause ("connection refused", "TLS certificate not trusted").
	Reason string
	Err    error
}

func (e *TransportError) Error() string {
	return fmt.Sprintf("cannot reach %s: %s", e.Host, e.Reason)
}

func (e *TransportError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, oauth.ErrAborted) true when the user cancelled,
// and errors.Is(err, oauth.ErrUnreachable) otherwise.
func (e *TransportError) Is(target error) bool {
	if errors.Is(e.Err, context.Canceled) {
		return target == oauth.ErrAborted
	}
	return target == oauth.ErrUnreachable
}

// classifyTransport turns a client error into a *TransportError with a reason
// a person can act on. The message never includes the request URL, which
// may carry a credential in its query.
func classifyTransport(host string, err error) *TransportError {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	reason := err.Error()
	var (
		dnsErr   *net.DNSError
		opErr    *net.OpError
		unknown  x509.UnknownAuthorityError
		hostErr  x509.HostnameError
		certErr  x509.CertificateInvalidError
		recErr   tls.RecordHeaderError
		alertErr tls.AlertError
	)
	switch {
	case errors.Is(err, context.Canceled):
		reason = "cancelled"
	case errors.Is(err, context.DeadlineExceeded), isTimeout(err):
		reason = "timed out"
	case errors.As(err, &dnsErr):
		reason = "cannot resolve host name " + dnsErr.Name
	case errors.As(err, &unknown):
		reason = "TLS certificate is not signed by a trusted authority (use --insecure only if you know why)"
	case errors.As(err, &hostErr):
		reason = "TLS certificate is not valid for this host: " + hostErr.Error()
	case errors.As(err, &certErr):
		reason = "TLS certificate is invalid: " + certErr.Error()
	case errors.As(err, &recErr):
		reason = "the server did not answer with TLS (is it plain http?)"
	case errors.As(err, &alertErr):
		reason = "TLS handshake refused by the server: " + alertErr.Error()
	case errors.As(err, &opErr) && opErr.Op == "dial":
		reason = "connection failed: " + opErr.Err.Error()
	}
	return &TransportError{Host: host, Reason: reason, Err: err}
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}
