// Package htmlform reads the plain HTML pages of the test providers (the
// playground and the OAuth 1.0a provider) and fills in their forms like a
// user, so tests drive a sign-in with an http.Client instead of a real
// browser. The pages mark what matters by id: id="error" for a
// refusal, id="result" (data-result) for an outcome.
package htmlform

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/html"
)

// maxPage bounds what is read of one page.
const maxPage = 1 << 20

// maxDepth bounds how deep the page walk goes, so a hostile page cannot
// exhaust the stack.
const maxDepth = 64

// maxText bounds the visible text kept for error messages.
const maxText = 200

// Page is what a page says, as far as a test user needs it.
type Page struct {
	// Form is the first form; nil when the page has none.
	Form *Form
	// Error is the text of id="error": the provider refused the form.
	Error string
	// Result is the data-result of id="result".
	Result string
	// Verifier is the text of the <code> element with id="verifier".
	Verifier string
	// Text is the visible text, shortened, for error messages.
	Text string
}

// Form is an HTML form: its action, method, fields and submit buttons.
type Form struct {
	// Action is the absolute URL the form goes to.
	Action *url.URL
	// Method is GET or POST.
	Method string
	// Fields are the inputs other than submit buttons, in page order.
	Fields []Field
	// Buttons are the named submit buttons, in page order.
	Buttons []Field
}

// Field is one named input or button.
type Field struct {
	// Name is the field's name.
	Name string
	// Value is the value the page gave it.
	Value string
	// Type is the input's type, lower case ("hidden", "password", "").
	Type string
}

// NewClient returns an http.Client for a test user: it gives up after 30
// s and does not follow redirects, so a redirect back to the client is
// returned, not requested. jar keeps the provider's session; nil keeps none.
func NewClient(jar http.CookieJar) *http.Client {
	return &http.Client{
		Jar:     jar,
		Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// Read parses resp's page (at most 1 MiB); the caller closes the body.
// Links in the form resolve against the request's URL.
func Read(resp *http.Response) (*Page, error) {
	return Parse(io.LimitReader(resp.Body, maxPage), resp.Request.URL)
}

// Drain reads what is left of resp's body (at most 1 MiB), so the
// connection can be reused; the caller closes the body.
func Drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxPage))
}

// Visit GETs target as a browser follows a redirect, for a loopback
// listener to receive it. A page answering 400 or above is an error that
// names its status.
func Visit(ctx context.Context, c *http.Client, target string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	Drain(resp)
	if resp.StatusCode >= 400 {
		return fmt.Errorf("the callback answered %d", resp.StatusCode)
	}
	return nil
}

// Parse reads a page: its first form, an error message, a result marker, a
// verifier and its visible text. base resolves the form's action.
func Parse(r io.Reader, base *url.URL) (*Page, error) {
	doc, err := html.Parse(r)
	if err != nil {
		return nil, fmt.Errorf("the page does not parse: %w", err)
	}
	w := &pageWalker{p: &Page{}, base: base}
	w.walk(doc, nil, 0)
	p := w.p
	p.Text = strings.Join(strings.Fields(w.text.String()), " ")
	if len(p.Text) > maxText {
		p.Text = p.Text[:maxText] + "…"
	}
	return p, nil
}

// pageWalker collects a Page from a parsed document.
type pageWalker struct {
	p    *Page
	base *url.URL
	text strings.Builder
}

// walk visits n and its children (down to maxDepth), collecting text,
// the first form's controls and the marked elements; inForm is the form
// n is inside.
func (w *pageWalker) walk(n *html.Node, inForm *Form, depth int) {
	if depth > maxDepth {
		return
	}
	if n.Type == html.TextNode {
		w.text.WriteString(strings.TrimSpace(n.Data))
		w.text.WriteByte(' ')
	}
	if n.Type == html.ElementNode {
		var skip bool
		if inForm, skip = w.element(n, inForm); skip {
			return
		}
		w.p.mark(n)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c, inForm, depth+1)
	}
}

// element handles an element for the form: the first form starts it,
// inputs and buttons inside it become its fields and buttons. It returns
// the form n's children are in, and whether they are to be skipped
// (style, script, head).
func (w *pageWalker) element(n *html.Node, inForm *Form) (*Form, bool) {
	switch n.Data {
	case "style", "script", "head":
		return inForm, true
	case "form":
		if w.p.Form == nil {
			w.p.Form = newForm(n, w.base)
			inForm = w.p.Form
		}
	case "input":
		if inForm != nil && attr(n, "name") != "" {
			inForm.addInput(n)
		}
	case "button":
		if inForm != nil && attr(n, "name") != "" && strings.ToLower(attr(n, "type")) != "button" {
			inForm.Buttons = append(inForm.Buttons, Field{Name: attr(n, "name"), Value: attr(n, "value")})
		}
	}
	return inForm, false
}

// addInput adds a named input: a submit input as a button, any other as a
// field.
func (f *Form) addInput(n *html.Node) {
	fl := Field{Name: attr(n, "name"), Value: attr(n, "value"), Type: strings.ToLower(attr(n, "type"))}
	if fl.Type == "submit" {
		f.Buttons = append(f.Buttons, Field{Name: fl.Name, Value: fl.Value})
		return
	}
	f.Fields = append(f.Fields, fl)
}

// mark records what an element with the id error, result or verifier says.
func (p *Page) mark(n *html.Node) {
	switch attr(n, "id") {
	case "error":
		p.Error = strings.TrimSpace(nodeText(n))
	case "result":
		p.Result = attr(n, "data-result")
	case "verifier":
		if p.Verifier == "" && n.Data == "code" {
			p.Verifier = strings.TrimSpace(nodeText(n))
		}
	}
}

func newForm(n *html.Node, base *url.URL) *Form {
	action, _ := url.Parse(attr(n, "action"))
	if action == nil {
		action = &url.URL{}
	}
	method := strings.ToUpper(attr(n, "method"))
	if method != http.MethodPost {
		method = http.MethodGet
	}
	return &Form{Action: base.ResolveReference(action), Method: method}
}

// Request fills the form like a user: each field gets fill's answer, and
// the button named "action" whose value is press is pressed (or the first
// other named button).
func (f *Form) Request(ctx context.Context, fill func(Field) string, press string) (*http.Request, error) {
	v := url.Values{}
	for _, fl := range f.Fields {
		v.Add(fl.Name, fill(fl))
	}
	for _, btn := range f.Buttons {
		if btn.Name == "action" && btn.Value != press {
			continue
		}
		v.Add(btn.Name, btn.Value)
		break
	}
	if f.Method == http.MethodGet {
		u := *f.Action
		u.RawQuery = v.Encode()
		return http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.Action.String(), strings.NewReader(v.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req, nil
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
