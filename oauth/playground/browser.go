package playground

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"

	"github.com/authdeck/authdeck/oauth/internal/htmlform"
)

// Browser follows an authorization URL like a user would: logs in and
// answers consent. It drives the provider's plain HTML forms with an
// http.Client, so tests need no real browser.
type Browser struct {
	// Client has a cookie jar (the provider's session) and does not follow
	// redirects by itself, so the final redirect to the client is not requested.
	Client *http.Client
	// User and Password are typed into the login form.
	User, Password string
	// Deny answers the consent page with Deny instead of Allow.
	Deny bool
}

// NewBrowser returns a Browser that signs in as user with password.
func NewBrowser(user, password string) *Browser {
	jar, _ := cookiejar.New(nil) // cookiejar.New never fails without options.
	return &Browser{Client: htmlform.NewClient(jar), User: user, Password: password}
}

// ErrLoginFailed reports that the provider re-showed a form with an error
// (for example a wrong password or an unknown device code).
var ErrLoginFailed = errors.New("playground: the provider rejected the form")

const maxBrowserSteps = 12

// Authorize GETs authURL, submits the login and consent forms, and returns
// the final redirect URL (the client's redirect_uri with code and state, or
// an error) without requesting it.
func (b *Browser) Authorize(ctx context.Context, authURL string) (*url.URL, error) {
	start, err := url.Parse(authURL)
	if err != nil {
		return nil, fmt.Errorf("playground: authorization URL: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authURL, nil)
	if err != nil {
		return nil, err
	}
	for range maxBrowserSteps {
		resp, err := b.Client.Do(req)
		if err != nil {
			return nil, err
		}
		page, next, err := b.step(resp)
		if err != nil {
			return nil, err
		}
		switch {
		case next != nil && !sameOrigin(next, start):
			return next, nil
		case next != nil:
			req, err = http.NewRequestWithContext(ctx, http.MethodGet, next.String(), nil)
		case page.Form != nil:
			req, err = b.fill(ctx, page.Form, "")
		default:
			return nil, fmt.Errorf("playground: authorization stopped at %s (status %d): %s", resp.Request.URL.Path, resp.StatusCode, page.Text)
		}
		if err != nil {
			return nil, err
		}
	}
	return nil, errors.New("playground: too many steps in the authorization")
}

// Open does Authorize and then GETs the redirect, so that a loopback
// listener receives the callback. A callback answering 400 or above is an
// error that includes its status.
func (b *Browser) Open(ctx context.Context, authURL string) error {
	target, err := b.Authorize(ctx, authURL)
	if err != nil {
		return err
	}
	if err := htmlform.Visit(ctx, b.Client, target.String()); err != nil {
		return fmt.Errorf("playground: %w", err)
	}
	return nil
}

// ApproveDevice visits the verification URI, enters userCode, logs in (unless
// the browser already has a session), and approves, or denies when b.Deny.
func (b *Browser) ApproveDevice(ctx context.Context, verificationURI, userCode string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, verificationURI, nil)
	if err != nil {
		return err
	}
	for range maxBrowserSteps {
		resp, err := b.Client.Do(req)
		if err != nil {
			return err
		}
		page, next, err := b.step(resp)
		if err != nil {
			return err
		}
		switch {
		case next != nil:
			req, err = http.NewRequestWithContext(ctx, http.MethodGet, next.String(), nil)
		case page.Result != "":
			want := "approved"
			if b.Deny {
				want = "denied"
			}
			if page.Result != want {
				return fmt.Errorf("playground: device authorization ended %q: %s", page.Result, page.Text)
			}
			return nil
		case page.Form != nil:
			req, err = b.fill(ctx, page.Form, userCode)
		default:
			return fmt.Errorf("playground: device verification stopped (status %d): %s", resp.StatusCode, page.Text)
		}
		if err != nil {
			return err
		}
	}
	return errors.New("playground: too many steps in the device verification")
}

// step reads one response: a redirect target, or a parsed page. A page that
// shows an error (id="error") fails with ErrLoginFailed.
func (b *Browser) step(resp *http.Response) (*htmlform.Page, *url.URL, error) {
	defer resp.Body.Close()
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		htmlform.Drain(resp)
		loc, err := resp.Location()
		if err != nil {
			return nil, nil, fmt.Errorf("playground: redirect without Location: %w", err)
		}
		return nil, loc, nil
	}
	p, err := htmlform.Read(resp)
	if err != nil {
		return nil, nil, fmt.Errorf("playground: %w", err)
	}
	if p.Error != "" {
		return nil, nil, fmt.Errorf("%w: %s", ErrLoginFailed, p.Error)
	}
	return p, nil, nil
}

// fill answers a form like a user: username and password from b,
// user_code from userCode, and the Allow or Deny button.
func (b *Browser) fill(ctx context.Context, f *htmlform.Form, userCode string) (*http.Request, error) {
	press := "allow"
	if b.Deny {
		press = "deny"
	}
	return f.Request(ctx, func(fl htmlform.Field) string {
		switch {
		case fl.Name == "username":
			return b.User
		case fl.Name == "password":
			return b.Password
		case fl.Name == "user_code" && fl.Type != "hidden" && userCode != "":
			return userCode
		}
		return fl.Value
	}, press)
}

func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Host, b.Host)
}
