package oauth1test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/html"
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
	return &Browser{
		Client: &http.Client{
			Timeout:       30 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		User:     user,
		Password: password,
	}
}

// ErrRefused reports that the provider answered the form with an error
// page (wrong password, expired or unknown request).
var ErrRefused = errors.New("oauth1test: the provider refused the form")

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
		return nil, fmt.Errorf("oauth1test: authorization URL: %w", err)
	}
	resp, err := b.get(ctx, authURL)
	if err != nil {
		return nil, err
	}
	p, err := readPage(resp)
	if err != nil {
		return nil, err
	}
	if p.fields == nil {
		return nil, fmt.Errorf("%w (status %d): %s", ErrRefused, resp.StatusCode, p.text)
	}
	form := url.Values{}
	for k, v := range p.fields {
		form.Set(k, v)
	}
	form.Set("username", b.User)
	form.Set("password", b.Password)
	form.Set("action", "approve")
	if b.Deny {
		form.Set("action", "deny")
	}
	action := start.ResolveReference(&url.URL{Path: p.action})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, action.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", start.Scheme+"://"+start.Host)
	resp, err = b.Client.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusFound {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		loc, err := resp.Location()
		if err != nil {
			return nil, fmt.Errorf("oauth1test: redirect without Location: %w", err)
		}
		return &Approval{Callback: loc, Verifier: loc.Query().Get("oauth_verifier")}, nil
	}
	p, err = readPage(resp)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK || p.errText != "" {
		return nil, fmt.Errorf("%w (status %d): %s", ErrRefused, resp.StatusCode, p.text)
	}
	return &Approval{Verifier: p.verifier}, nil
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
		return errors.New("oauth1test: the authorization is out-of-band; there is no callback to open")
	}
	resp, err := b.get(ctx, a.Callback.String())
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode >= 400 {
		return fmt.Errorf("oauth1test: the callback answered %d", resp.StatusCode)
	}
	return nil
}

func (b *Browser) get(ctx context.Context, target string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, err
	}
	return b.Client.Do(req)
}

// page is what the Browser understood of an HTML page.
type page struct {
	action   string
	fields   map[string]string // hidden inputs; nil without a form
	verifier string
	errText  string
	text     string
}

// readPage parses the provider's page (at most 1 MiB).
func readPage(resp *http.Response) (*page, error) {
	defer resp.Body.Close()
	doc, err := html.Parse(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("oauth1test: the page does not parse: %w", err)
	}
	p := &page{}
	var text strings.Builder
	var walk func(n *html.Node, depth int)
	walk = func(n *html.Node, depth int) {
		if depth > 64 {
			return
		}
		if n.Type == html.TextNode {
			text.WriteString(strings.TrimSpace(n.Data))
			text.WriteByte(' ')
		}
		if n.Type == html.ElementNode {
			switch n.Data {
			case "form":
				p.action = attr(n, "action")
				p.fields = map[string]string{}
			case "input":
				if attr(n, "type") == "hidden" && p.fields != nil {
					p.fields[attr(n, "name")] = attr(n, "value")
				}
			case "code":
				if attr(n, "id") == "verifier" && n.FirstChild != nil {
					p.verifier = n.FirstChild.Data
				}
			case "p":
				if attr(n, "id") == "error" && n.FirstChild != nil {
					p.errText = n.FirstChild.Data
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, depth+1)
		}
	}
	walk(doc, 0)
	p.text = strings.Join(strings.Fields(text.String()), " ")
	if len(p.text) > 300 {
		p.text = p.text[:300] + "…"
	}
	return p, nil
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}
