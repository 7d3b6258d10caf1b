package playground

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/html"
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
	return &Browser{
		Client: &http.Client{
			Jar:     jar,
			Timeout: 30 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		},
		User:     user,
		Password: password,
	}
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
		case page.form != nil:
			req, err = page.form.request(ctx, b, "")
		default:
			return nil, fmt.Errorf("playground: authorization stopped at %s (status %d): %s", resp.Request.URL.Path, resp.StatusCode, page.text)
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
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target.String(), nil)
	if err != nil {
		return err
	}
	resp, err := b.Client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if resp.StatusCode >= 400 {
		return fmt.Errorf("playground: the callback answered %d", resp.StatusCode)
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
		case page.result != "":
			want := "approved"
			if b.Deny {
				want = "denied"
			}
			if page.result != want {
				return fmt.Errorf("playground: device authorization ended %q: %s", page.result, page.text)
			}
			return nil
		case page.form != nil:
			req, err = page.form.request(ctx, b, userCode)
		default:
			return fmt.Errorf("playground: device verification stopped (status %d): %s", resp.StatusCode, page.text)
		}
		if err != nil {
			return err
		}
	}
	return errors.New("playground: too many steps in the device verification")
}

// page is what the Browser understood of an HTML response.
type page struct {
	form   *form
	result string // data-result of id="result"
	text   string // visible text, shortened, for error messages
}

// step reads one response: a redirect target, or a parsed page. A page that
// shows an error (id="error") fails with ErrLoginFailed.
func (b *Browser) step(resp *http.Response) (*page, *url.URL, error) {
	defer resp.Body.Close()
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		loc, err := resp.Location()
		if err != nil {
			return nil, nil, fmt.Errorf("playground: redirect without Location: %w", err)
		}
		return nil, loc, nil
	}
	p, err := parsePage(io.LimitReader(resp.Body, 1<<20), resp.Request.URL)
	if err != nil {
		return nil, nil, err
	}
	if p.errText != "" {
		return nil, nil, fmt.Errorf("%w: %s", ErrLoginFailed, p.errText)
	}
	return &p.page, nil, nil
}

type parsedPage struct {
	page
	errText string
}

// form is an HTML form: its action, method, fields and submit buttons.
type form struct {
	action  *url.URL
	method  string
	fields  []formField
	buttons []formField // named submit buttons
}

type formField struct {
	name, value, typ string
}

// request fills the form like a user: username and password from b,
// user_code from userCode, and the Allow or Deny button.
func (f *form) request(ctx context.Context, b *Browser, userCode string) (*http.Request, error) {
	v := url.Values{}
	for _, fl := range f.fields {
		val := fl.value
		switch {
		case fl.name == "username":
			val = b.User
		case fl.name == "password":
			val = b.Password
		case fl.name == "user_code" && fl.typ != "hidden" && userCode != "":
			val = userCode
		}
		v.Add(fl.name, val)
	}
	want := "allow"
	if b.Deny {
		want = "deny"
	}
	for _, btn := range f.buttons {
		if btn.name == "action" && btn.value != want {
			continue
		}
		v.Add(btn.name, btn.value)
		break
	}
	if f.method == http.MethodGet {
		u := *f.action
		u.RawQuery = v.Encode()
		return http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.action.String(), strings.NewReader(v.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req, nil
}

// parsePage finds the first form, an error message and a result marker.
func parsePage(r io.Reader, base *url.URL) (*parsedPage, error) {
	doc, err := html.Parse(r)
	if err != nil {
		return nil, fmt.Errorf("playground: cannot parse page: %w", err)
	}
	p := &parsedPage{}
	var text strings.Builder
	var walk func(n *html.Node, inForm *form)
	walk = func(n *html.Node, inForm *form) {
		if n.Type == html.TextNode {
			text.WriteString(strings.TrimSpace(n.Data))
			text.WriteByte(' ')
		}
		if n.Type == html.ElementNode {
			switch n.Data {
			case "style", "script", "head":
				return
			case "form":
				if p.form == nil {
					action, _ := url.Parse(attr(n, "action"))
					if action == nil {
						action = &url.URL{}
					}
					method := strings.ToUpper(attr(n, "method"))
					if method != http.MethodPost {
						method = http.MethodGet
					}
					p.form = &form{action: base.ResolveReference(action), method: method}
					inForm = p.form
				}
			case "input":
				if inForm != nil && attr(n, "name") != "" {
					typ := strings.ToLower(attr(n, "type"))
					if typ == "submit" {
						inForm.buttons = append(inForm.buttons, formField{name: attr(n, "name"), value: attr(n, "value")})
					} else {
						inForm.fields = append(inForm.fields, formField{name: attr(n, "name"), value: attr(n, "value"), typ: typ})
					}
				}
			case "button":
				if inForm != nil && attr(n, "name") != "" && strings.ToLower(attr(n, "type")) != "button" {
					inForm.buttons = append(inForm.buttons, formField{name: attr(n, "name"), value: attr(n, "value")})
				}
			}
			switch attr(n, "id") {
			case "error":
				p.errText = strings.TrimSpace(nodeText(n))
			case "result":
				p.result = attr(n, "data-result")
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inForm)
		}
	}
	walk(doc, nil)
	p.text = strings.Join(strings.Fields(text.String()), " ")
	if len(p.text) > 200 {
		p.text = p.text[:200] + "…"
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

func nodeText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Host, b.Host)
}
