package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// Device flow timing (RFC 8628 §3.2, §3.5; S-24).
const (
	// DefaultDeviceInterval is the poll interval when the server names none.
	DefaultDeviceInterval = 5 * time.Second
	// SlowDownStep is added to the interval, for good, on every slow_down.
	SlowDownStep = 5 * time.Second
	// DefaultDeviceExpiry is the code lifetime when the server names none.
	DefaultDeviceExpiry = 10 * time.Minute
	// maxTransportBackoff caps the wait after transport errors.
	maxTransportBackoff = time.Minute
	// maxPolls bounds the loop whatever the clock says.
	maxPolls = 5000
)

// DeviceGrantType is the grant_type of device access token requests.
const DeviceGrantType = "urn:ietf:params:oauth:grant-type:device_code"

// ParseDeviceAuth decodes a device authorization response into x/oauth2's
// type, accepting expires_in and interval as numbers or strings and the
// verification_url misspelling. now anchors the expiry.
func ParseDeviceAuth(status int, contentType string, body []byte, now time.Time) (*oauth2.DeviceAuthResponse, error) {
	const op = "device authorization"
	fields, err := decodeSuccess(op, status, contentType, body)
	if err != nil {
		return nil, err
	}
	str := func(k string) string { s, _ := scalarString(fields[k]); return s }
	da := &oauth2.DeviceAuthResponse{
		DeviceCode:              str("device_code"),
		UserCode:                str("user_code"),
		VerificationURI:         str("verification_uri"),
		VerificationURIComplete: str("verification_uri_complete"),
	}
	if da.VerificationURI == "" {
		da.VerificationURI = str("verification_url")
	}
	if da.DeviceCode == "" || da.UserCode == "" || da.VerificationURI == "" {
		return nil, &Error{
			Kind: KindBadResponse, Op: op, Status: status,
			Reason: "the response lacks device_code, user_code or verification_uri",
		}
	}
	if err := checkOpenURL(da.VerificationURI); err != nil {
		return nil, &Error{Kind: KindBadResponse, Op: op, Reason: "verification_uri: " + err.Error()}
	}
	if da.VerificationURIComplete != "" && checkOpenURL(da.VerificationURIComplete) != nil {
		da.VerificationURIComplete = ""
	}
	exp, err := parseExpiresIn(fields["expires_in"])
	if err != nil {
		return nil, &Error{Kind: KindBadResponse, Op: op, Reason: "expires_in " + err.Error()}
	}
	if exp <= 0 {
		exp = DefaultDeviceExpiry
	}
	da.Expiry = now.Add(exp)
	iv, err := parseExpiresIn(fields["interval"])
	if err != nil {
		return nil, &Error{Kind: KindBadResponse, Op: op, Reason: "interval " + err.Error()}
	}
	da.Interval = int64(iv / time.Second)
	return da, nil
}

// device runs the device authorization grant (RFC 8628) with its own poll
// loop: it shows the code through the callback, opens the browser on the
// complete URI unless told not to, and polls no faster than the interval
// (S-23, S-24).
func (f *flow) device(ctx context.Context, o flowOptions) (*Result, error) {
	if err := f.needEndpoints(ctx, false, "device authorization", "token"); err != nil {
		return nil, err
	}
	form := url.Values{}
	if len(o.scopes) > 0 {
		form.Set("scope", strings.Join(o.scopes, " "))
	}
	if f.ac.Audience != "" {
		form.Set("audience", f.ac.Audience)
	}
	if f.ac.Resource != "" {
		form.Set("resource", f.ac.Resource)
	}
	header := http.Header{}
	if err := f.authenticate(form, header); err != nil {
		return nil, err
	}
	f.cb.progress("device authorization: POST %s", f.eps.Device)
	resp, err := f.do(ctx, call{step: "device authorization", url: f.eps.Device, form: form, header: header})
	if err != nil {
		return nil, err
	}
	da, err := ParseDeviceAuth(resp.status, resp.contentType, resp.body, f.e.now())
	if err != nil {
		f.fail(resp.idx, missingScope(err, o.scopes))
		return nil, missingScope(err, o.scopes)
	}
	f.red.addValue(da.DeviceCode)
	interval := time.Duration(da.Interval) * time.Second
	if interval <= 0 {
		interval = DefaultDeviceInterval
	}
	show := da.VerificationURIComplete
	if show == "" {
		show = da.VerificationURI
	}
	host := ""
	if u, err := url.Parse(da.VerificationURI); err == nil {
		host = u.Host
	}
	if f.cb.DeviceCode != nil {
		f.cb.DeviceCode(DevicePrompt{
			UserCode: da.UserCode, VerificationURI: da.VerificationURI, VerificationURIComplete: da.VerificationURIComplete,
			Host: host, QR: QRCode(show), Expires: da.Expiry, Interval: interval,
		})
	}
	if !o.noBrowser {
		if err := f.e.open(ctx, show); err != nil {
			f.cb.browserFailed(err, "open "+da.VerificationURI+" yourself")
		}
	}
	return f.pollDevice(ctx, da, interval, o.scopes)
}

// pollDevice polls the token endpoint until the user finishes, denies, the
// code expires, or ctx ends. slow_down adds SlowDownStep for good; a
// transport error doubles the next wait (capped) and polling goes on.
func (f *flow) pollDevice(ctx context.Context, da *oauth2.DeviceAuthResponse, interval time.Duration, scopes []string) (*Result, error) {
	wait := interval
	for poll := 0; poll < maxPolls; poll++ {
		if f.e.now().Add(wait).After(da.Expiry) {
			break
		}
		if err := f.e.sleep(ctx, wait); err != nil {
			return nil, newError(KindAborted, "device poll", "cancelled while waiting for the sign-in", "", err)
		}
		wait = interval
		form := url.Values{"grant_type": {DeviceGrantType}, "device_code": {da.DeviceCode}}
		tok, err := f.tokenRequest(ctx, "device poll", form)
		if err == nil {
			return newResult(tok, scopes, "device_code", f.e.now()), nil
		}
		var oe *Error
		if !errors.As(err, &oe) {
			return nil, err
		}
		switch {
		case oe.Code == "authorization_pending":
			continue
		case oe.Code == "slow_down":
			interval += SlowDownStep
			wait = interval
			f.tr.note("device poll", fmt.Sprintf("slow_down: polling every %s from now on", interval))
			continue
		case oe.Kind == KindAborted && errors.Is(oe.Err, context.Canceled):
			return nil, oe
		case oe.Kind == KindUnreachable:
			// Lost connection, a timeout or a 5xx: keep polling, slower.
			wait = min(interval*2, maxTransportBackoff)
			f.cb.progress("the server could not be reached (%s); retrying in %s", oe.Reason, wait)
			continue
		}
		return nil, err
	}
	return nil, newError(KindAborted, "device poll", "the device code expired before the sign-in was finished",
		"start again and enter the code sooner", nil)
}
