package oauth1provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sync"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/oauth/internal/htmlform"
)

// Browser answers the authorization page like a user would, with a plain
// http.Client, so tests need no real browser.
type Browser struct {
	// Client does not follow redirects by itself, so the redirect back to
	// the consumer is returned, not requested.
	Client *http.Client
	// User and Password are typed into the form.
	User, Password string
	// Deny presses Deny instead of Approve.
	Deny bool
}

// NewBrowser returns a Browser that signs in as user with password.
func NewBrowser(user, password string) *Browser {
	return &Browser{Client: htmlform.NewClient(nil), User: user, Password: password}
}

// ErrRefused reports that the provider answered the form with an error
// page (wrong password, expired or unknown request).
var ErrRefused = errors.New("oauth1provider: the provider refused the form")

// Approval is how an authorization ended.
type Approval struct {
	// Callback is the redirect back to the consumer (with oauth_token and
	// oauth_verifier, or denied); nil for an out-of-band authorization.
	Callback *url.URL
	// Verifier is the verifier: from the callback, or the one the
	// out-of-band page shows. Empty when access was denied.
	Verifier string
}

// Authorize opens authURL, fills in the form and submits it. It returns
// the redirect without requesting it, or the verifier an out-of-band page shows.
func (b *Browser) Authorize(ctx context.Context, authURL string) (*Approval, error) {
	start, err := url.Parse(authURL)
	if err != nil {
		return nil, fmt.Errorf("oauth1provider: authorization URL: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authURL, nil)
	if err != nil {
		return nil, err
	}
	p, status, _, err := b.do(req)
	if err != nil {
		return nil, err
	}
	if p.Form == nil {
		return nil, fmt.Errorf("%w (status %d): %s", ErrRefused, status, p.Text)
	}
	press := "approve"
	if b.Deny {
		press = "deny"
	}
	req, err = p.Form.Request(ctx, func(f htmlform.Field) string {
		switch f.Name {
		case "username":
			return b.User
		case "password":
			return b.Password
		}
		return f.Value
	}, press)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Origin", start.Scheme+"://"+start.Host)
	p, status, loc, err := b.do(req)
	if err != nil {
		return nil, err
	}
	if loc != nil {
		return &Approval{Callback: loc, Verifier: loc.Query().Get("oauth_verifier")}, nil
	}
	if status != http.StatusOK || p.Error != "" {
		return nil, fmt.Errorf("%w (status %d): %s", ErrRefused, status, p.Text)
	}
	return &Approval{Verifier: p.Verifier}, nil
}

// do sends req and reads the answer: the target of a redirect (302), else
// the page with its status.
func (b *Browser) do(req *http.Request) (*htmlform.Page, int, *url.URL, error) {
	resp, err := b.Client.Do(req)
	if err != nil {
		return nil, 0, nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusFound {
		htmlform.Drain(resp)
		loc, err := resp.Location()
		if err != nil {
			return nil, 0, nil, fmt.Errorf("oauth1provider: redirect without Location: %w", err)
		}
		return &htmlform.Page{}, resp.StatusCode, loc, nil
	}
	p, err := htmlform.Read(resp)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("oauth1provider: %w", err)
	}
	return p, resp.StatusCode, nil, nil
}

// Open runs Authorize and then requests the redirect, as a browser would,
// so that the consumer's loopback listener receives the callback. A
// callback that answers 400 or above is an error.
func (b *Browser) Open(ctx context.Context, authURL string) error {
	a, err := b.Authorize(ctx, authURL)
	if err != nil {
		return err
	}
	if a.Callback == nil {
		return errors.New("oauth1provider: the authorization is out-of-band; there is no callback to open")
	}
	if err := htmlform.Visit(ctx, b.Client, a.Callback.String()); err != nil {
		return fmt.Errorf("oauth1provider: %w", err)
	}
	return nil
}

// Browsers runs simulated browsers the way the system opener runs the real
// one: in the background, so the flow can wait on its listener meanwhile.
// It keeps the URLs opened and the browsers' errors.
type Browsers struct {
	wg   sync.WaitGroup
	mu   sync.Mutex
	errs []error
	urls []string
}

// Opener returns an opener that runs fn with the authorization URL in the
// background. fn's context outlives the opener's call, as a browser does.
func (b *Browsers) Opener(fn func(ctx context.Context, authURL string) error) oauth.Opener {
	return func(ctx context.Context, authURL string) error {
		b.mu.Lock()
		b.urls = append(b.urls, authURL)
		b.mu.Unlock()
		b.wg.Add(1)
		go func() {
			defer b.wg.Done()
			if err := fn(context.WithoutCancel(ctx), authURL); err != nil {
				b.mu.Lock()
				b.errs = append(b.errs, err)
				b.mu.Unlock()
			}
		}()
		return nil
	}
}

// Wait waits for every browser started so far and returns their errors.
func (b *Browsers) Wait() []error {
	b.wg.Wait()
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.errs)
}

// URLs returns the URLs opened so far.
func (b *Browsers) URLs() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.urls)
}
