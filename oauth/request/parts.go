package request

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/icholy/digest"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/mask"
)

// This file renders the parts of a request beyond method, URL, headers and
// body text: query parameters kept beside the URL, multipart forms and
// bodies read from a file (files read only when the request is sent), and
// the authentication schemes computed from variables (basic, AWS
// Signature v4; digest answers the server's challenge in Send).

// maxFileBody bounds a body or form file read when sending.
const maxFileBody = 64 << 20

// partsPlan holds the parsed templates of those parts.
type partsPlan struct {
	params   [][2]vault.Template
	form     []formPlan
	bodyFile *vault.Template
	// stripLineBreaks: the body file is sent as curl -d @file sends it.
	stripLineBreaks bool
	scheme          *schemePlan
}

type formPlan struct {
	name, value, file vault.Template
	isFile            bool
	contentType       string
}

type schemePlan struct {
	typ                                              string
	user, pass, access, secret, session, region, svc vault.Template
}

// parseFunc parses one of the request's templates, noting the names it uses;
// field names it in errors.
type parseFunc func(field, s string) (vault.Template, error)

// planParts parses the templates of spec's parts and returns the names they use.
func (p *plan) planParts() ([]string, error) {
	var used []string
	parse := func(field, s string) (vault.Template, error) {
		t, err := vault.ParseTemplate(s)
		if err != nil {
			return vault.Template{}, &InputError{Field: field, Err: err}
		}
		used = append(used, t.Names()...)
		return t, nil
	}
	for i, q := range p.spec.Params {
		if q.Disabled {
			continue
		}
		n, err := parse(fmt.Sprintf("query parameter %d", i+1), q.Name)
		if err != nil {
			return nil, err
		}
		v, err := parse(fmt.Sprintf("query parameter %q", q.Name), q.Value)
		if err != nil {
			return nil, err
		}
		p.parts.params = append(p.parts.params, [2]vault.Template{n, v})
	}
	if err := p.planForm(parse); err != nil {
		return nil, err
	}
	if p.spec.BodyFile != "" {
		t, err := parse("body file", p.spec.BodyFile)
		if err != nil {
			return nil, err
		}
		p.parts.bodyFile = &t
		p.parts.stripLineBreaks = p.spec.StripLineBreaks
	}
	if err := p.planScheme(parse); err != nil {
		return nil, err
	}
	return used, nil
}

// planForm parses the enabled form fields' names, values and file names.
func (p *plan) planForm(parse parseFunc) error {
	for i, f := range p.spec.Form {
		if f.Disabled {
			continue
		}
		fp := formPlan{isFile: f.IsFile, contentType: f.ContentType}
		var err error
		if fp.name, err = parse(fmt.Sprintf("form field %d", i+1), f.Name); err != nil {
			return err
		}
		if fp.value, err = parse(fmt.Sprintf("form field %q", f.Name), f.Value); err != nil {
			return err
		}
		if fp.file, err = parse(fmt.Sprintf("form field %q file", f.Name), f.File); err != nil {
			return err
		}
		p.parts.form = append(p.parts.form, fp)
	}
	return nil
}

// planScheme parses the auth scheme's templates and checks its type.
func (p *plan) planScheme(parse parseFunc) error {
	s := p.spec.Scheme
	if s == nil {
		return nil
	}
	sp := &schemePlan{typ: s.Type}
	for _, f := range []struct {
		dst  *vault.Template
		name string
		v    string
	}{
		{&sp.user, "username", s.Username},
		{&sp.pass, "password", s.Password},
		{&sp.access, "accessKey", s.AccessKey},
		{&sp.secret, "secretKey", s.SecretKey},
		{&sp.session, "sessionToken", s.SessionToken},
		{&sp.region, "region", s.Region},
		{&sp.svc, "service", s.Service},
	} {
		t, err := parse("auth "+f.name, f.v)
		if err != nil {
			return err
		}
		*f.dst = t
	}
	switch s.Type {
	case vault.SchemeBasic, vault.SchemeDigest, vault.SchemeAWSv4:
	default:
		return &InputError{Field: "auth scheme", Msg: fmt.Sprintf("%q is not basic, digest or awsv4", s.Type)}
	}
	p.parts.scheme = sp
	return nil
}

// renderFunc renders one of the request's templates; field names it in errors.
type renderFunc func(field string, t vault.Template) (string, error)

// renderParts adds the query parameters and builds a form or file body.
// Files are read only for the wire that is sent (real); the display shows
// what will be read.
func (p *plan) renderParts(w *wire, lookup func(string) (string, bool), real bool) error {
	render := func(field string, t vault.Template) (string, error) {
		s, err := t.Render(lookup, false)
		if err != nil {
			return "", p.renderErr(field, err)
		}
		return s, nil
	}
	if err := p.renderParams(w, render); err != nil {
		return err
	}
	switch {
	case len(p.parts.form) > 0 && isURLEncoded(w.get("Content-Type")):
		return p.renderURLEncoded(w, render)
	case len(p.parts.form) > 0:
		return p.renderMultipart(w, render, real)
	case p.parts.bodyFile != nil:
		path, err := render("body file", *p.parts.bodyFile)
		if err != nil {
			return err
		}
		w.source = BodySource{File: path, StripLineBreaks: p.parts.stripLineBreaks}
		if !real {
			w.body = []byte(fmt.Sprintf("(content of %s, read when sent)", path))
			if p.parts.stripLineBreaks {
				w.body = []byte(fmt.Sprintf("(content of %s without its line breaks, as curl -d @file sends it; read when sent)", path))
			}
			return nil
		}
		if w.body, err = readBodyFile("body file", path); err != nil {
			return err
		}
		if p.parts.stripLineBreaks {
			w.body = curlFileString(w.body)
		}
	}
	return nil
}

// renderParams adds the request's query parameters to the URL's query.
func (p *plan) renderParams(w *wire, render renderFunc) error {
	if len(p.parts.params) == 0 {
		return nil
	}
	var extra []string
	for _, q := range p.parts.params {
		n, err := render("query parameter", q[0])
		if err != nil {
			return err
		}
		v, err := render(fmt.Sprintf("query parameter %q", n), q[1])
		if err != nil {
			return err
		}
		extra = append(extra, url.QueryEscape(n)+"="+url.QueryEscape(v))
	}
	if w.url.RawQuery != "" {
		w.url.RawQuery += "&"
	}
	w.url.RawQuery += strings.Join(extra, "&")
	return nil
}

// renderMultipart builds a multipart/form-data body (or the multipart type
// the request names) from the form's text and file parts.
func (p *plan) renderMultipart(w *wire, render renderFunc, real bool) error {
	if err := p.checkPartTypes(); err != nil {
		return err
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range p.parts.form {
		part, err := writePart(mw, f, render, real)
		if err != nil {
			return err
		}
		if part.Name != "" || part.IsFile {
			w.source.Parts = append(w.source.Parts, part)
		}
	}
	_ = mw.Close()
	w.body = buf.Bytes()
	ct := mw.FormDataContentType()
	// A multipart type the request names (multipart/related) is kept,
	// with the boundary of this body.
	if mt, _, err := mime.ParseMediaType(w.get("Content-Type")); err == nil && strings.HasPrefix(mt, "multipart/") {
		ct = mime.FormatMediaType(mt, map[string]string{"boundary": mw.Boundary()})
	}
	w.set("Content-Type", ct)
	return nil
}

// checkPartTypes checks the parts' own Content-Types: they go into the
// body's headers, where a line break or control character would forge parts.
func (p *plan) checkPartTypes() error {
	for _, f := range p.parts.form {
		if f.contentType == "" {
			continue
		}
		if _, _, err := mime.ParseMediaType(f.contentType); err != nil || strings.ContainsFunc(f.contentType, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return &InputError{Field: "form field", Msg: fmt.Sprintf("%q is not a valid part Content-Type", f.contentType)}
		}
	}
	return nil
}

// writePart writes one form field as a part: a text value, or a file (its
// content read only for the real wire; one with no file chosen is left
// out, as Postman does). It returns the part as rendered, a file by its
// path (zero when left out).
func writePart(mw *multipart.Writer, f formPlan, render renderFunc, real bool) (vault.FormField, error) {
	name, err := render("form field", f.name)
	if err != nil {
		return vault.FormField{}, err
	}
	if !f.isFile {
		v, err := render(fmt.Sprintf("form field %q", name), f.value)
		if err != nil {
			return vault.FormField{}, err
		}
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%s"`, escapeQuotes(name)))
		if f.contentType != "" {
			h.Set("Content-Type", f.contentType)
		}
		pw, _ := mw.CreatePart(h)
		_, _ = pw.Write([]byte(v))
		return vault.FormField{Name: name, Value: v, ContentType: f.contentType}, nil
	}
	path, err := render(fmt.Sprintf("form field %q file", name), f.file)
	if err != nil {
		return vault.FormField{}, err
	}
	if path == "" {
		return vault.FormField{}, nil // no file chosen: sent without it, as Postman does
	}
	ct := f.contentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%s"; filename="%s"`, escapeQuotes(name), escapeQuotes(filepath.Base(path))))
	h.Set("Content-Type", ct)
	pw, _ := mw.CreatePart(h)
	content := []byte(fmt.Sprintf("(content of %s, read when sent)", path))
	if real {
		if content, err = readBodyFile(fmt.Sprintf("form field %q", name), path); err != nil {
			return vault.FormField{}, err
		}
	}
	_, _ = pw.Write(content)
	return vault.FormField{Name: name, IsFile: true, File: path, ContentType: f.contentType}, nil
}

// isURLEncoded reports a Content-Type of application/x-www-form-urlencoded.
func isURLEncoded(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == "application/x-www-form-urlencoded"
}

// renderURLEncoded builds the body of a form whose request says
// application/x-www-form-urlencoded: its text fields, rendered and
// encoded, in order. Such a form has no file parts.
func (p *plan) renderURLEncoded(w *wire, render renderFunc) error {
	pairs := make([]string, 0, len(p.parts.form))
	for _, f := range p.parts.form {
		name, err := render("form field", f.name)
		if err != nil {
			return err
		}
		if f.isFile {
			return &InputError{Field: "form field", Msg: fmt.Sprintf("%q is a file part; an application/x-www-form-urlencoded body has text fields only (use multipart/form-data)", name)}
		}
		v, err := render(fmt.Sprintf("form field %q", name), f.value)
		if err != nil {
			return err
		}
		pairs = append(pairs, url.QueryEscape(name)+"="+url.QueryEscape(v))
	}
	w.body = []byte(strings.Join(pairs, "&"))
	return nil
}

// escapeQuotes makes a part's name or file name safe inside quotes as
// browsers (the HTML standard's multipart/form-data encoding) and curl
// write it: '"' as %22, CR and LF as %0D and %0A; the other control
// characters percent-encoded too, so no name can end the header line.
func escapeQuotes(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '"' || r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "%%%02X", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// curlFileString is what curl makes of a file it reads for -d @file (its
// file2string): the file read as fgets reads it into a 256-byte buffer —
// pieces of at most 255 bytes, each ending at a line feed — with each
// piece cut at its first NUL, carriage return or line feed, and the pieces
// joined. A file with LF or CRLF line endings loses only its line breaks;
// a carriage return inside a line drops the rest of that piece, as curl
// does.
func curlFileString(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for len(b) > 0 {
		n := min(len(b), 255)
		if i := bytes.IndexByte(b[:n], '\n'); i >= 0 {
			n = i + 1
		}
		piece := b[:n]
		b = b[n:]
		if i := bytes.IndexAny(piece, "\x00\r\n"); i >= 0 {
			piece = piece[:i]
		}
		out = append(out, piece...)
	}
	return out
}

// readBodyFile reads a file the request sends, with ~ for the home directory.
func readBodyFile(field, path string) ([]byte, error) {
	if rest, ok := strings.CutPrefix(path, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			path = filepath.Join(home, rest)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, &InputError{Field: field, Msg: fmt.Sprintf("cannot read %s: %v", path, unwrapPath(err))}
	}
	defer f.Close()
	var buf bytes.Buffer
	n, err := buf.ReadFrom(&limitReader{f: f, n: maxFileBody + 1})
	if err != nil {
		return nil, &InputError{Field: field, Msg: fmt.Sprintf("cannot read %s: %v", path, unwrapPath(err))}
	}
	if n > maxFileBody {
		return nil, &InputError{Field: field, Msg: fmt.Sprintf("%s is larger than %d MB", path, maxFileBody>>20)}
	}
	return buf.Bytes(), nil
}

type limitReader struct {
	f *os.File
	n int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.f.Read(p)
	l.n -= int64(n)
	return n, err
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// renderErr wraps a template error of field as render does.
func (p *plan) renderErr(field string, err error) error {
	var me *vault.MissingError
	if errors.As(err, &me) {
		return &InputError{Field: field, Msg: fmt.Sprintf("environment %q has no value for", p.env), Err: missingNames(me)}
	}
	return &InputError{Field: field, Err: err}
}

// schemeValues are a scheme's rendered fields.
type schemeValues struct {
	user, pass, access, secret, session, region, svc string
	// challenge is the server's Digest challenge, once it has answered 401.
	challenge *digest.Challenge
}

func (p *plan) renderScheme(lookup func(string) (string, bool)) (schemeValues, error) {
	sp := p.parts.scheme
	var v schemeValues
	for _, f := range []struct {
		dst  *string
		name string
		t    vault.Template
	}{
		{&v.user, "username", sp.user},
		{&v.pass, "password", sp.pass},
		{&v.access, "access key", sp.access},
		{&v.secret, "secret key", sp.secret},
		{&v.session, "session token", sp.session},
		{&v.region, "region", sp.region},
		{&v.svc, "service", sp.svc},
	} {
		s, err := f.t.Render(lookup, false)
		if err != nil {
			return v, p.renderErr("auth "+f.name, err)
		}
		*f.dst = strings.TrimSpace(s)
	}
	return v, nil
}

// applyScheme puts a basic or AWS Signature v4 authentication on w (digest
// waits for the server's challenge). masked values go to a display copy.
func (p *plan) applyScheme(w *wire, v schemeValues, masked bool, now time.Time) (string, error) {
	sp := p.parts.scheme
	switch sp.typ {
	case vault.SchemeBasic:
		value := "Basic " + base64.StdEncoding.EncodeToString([]byte(v.user+":"+v.pass))
		if masked {
			value = "Basic " + mask.Dots
		}
		w.set("Authorization", value)
		return fmt.Sprintf("basic credentials (user %s) from the request's auth", v.user), nil
	case vault.SchemeDigest:
		return fmt.Sprintf("digest credentials (user %s), sent in answer to the server's challenge", v.user), nil
	case vault.SchemeAWSv4:
		if v.region == "" {
			v.region = "us-east-1"
		}
		if v.svc == "" {
			return "", &InputError{Field: "auth service", Msg: "AWS Signature v4 needs the service name (execute-api, s3, …)"}
		}
		if masked {
			w.set("X-Amz-Date", now.UTC().Format("20060102T150405Z"))
			if v.session != "" {
				w.set("X-Amz-Security-Token", mask.Dots)
			}
			w.set("Authorization", fmt.Sprintf("AWS4-HMAC-SHA256 Credential=%s/%s/%s/%s/aws4_request, SignedHeaders=…, Signature=%s", v.access, now.UTC().Format("20060102"), v.region, v.svc, mask.Dots))
		} else if err := signAWSv4(w, v, now); err != nil {
			return "", err
		}
		return fmt.Sprintf("AWS Signature v4 (access key %s, %s in %s)", v.access, v.svc, v.region), nil
	}
	return "", nil
}

// signAWSv4 signs w with AWS's own signer.
func signAWSv4(w *wire, v schemeValues, now time.Time) error {
	req, err := http.NewRequestWithContext(context.Background(), w.method, w.url.String(), bytes.NewReader(w.body))
	if err != nil {
		return &InputError{Field: "url", Msg: err.Error()}
	}
	req.Header = w.httpHeader()
	if h := req.Header.Get("Host"); h != "" {
		req.Host = h
	}
	sum := sha256.Sum256(w.body)
	payload := hex.EncodeToString(sum[:])
	if v.svc == "s3" {
		req.Header.Set("X-Amz-Content-Sha256", payload)
	}
	creds := aws.Credentials{AccessKeyID: v.access, SecretAccessKey: v.secret, SessionToken: v.session}
	err = v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = v.svc == "s3" }).
		SignHTTP(context.Background(), creds, req, payload, v.svc, v.region, now)
	if err != nil {
		return &InputError{Field: "auth", Msg: fmt.Sprintf("AWS Signature v4: %v", err)}
	}
	for _, name := range []string{"Authorization", "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Content-Sha256"} {
		if val := req.Header.Get(name); val != "" {
			w.set(name, val)
		}
	}
	return nil
}

// schemeOnBuilt applies the request's auth scheme to the display wire
// (masked unless reveal) and, when the request is to be sent, to the real
// one, and returns the credential description.
func (p *plan) schemeOnBuilt(b *built, lookup func(masked bool) func(string) (string, bool), reveal, need bool, now time.Time) (string, error) {
	shown, err := p.renderScheme(lookup(!reveal))
	if err != nil {
		return "", err
	}
	desc, err := p.applyScheme(b.shown, shown, !reveal, now)
	if err != nil {
		return "", err
	}
	if !need {
		return desc, nil
	}
	if b.scheme, err = p.renderScheme(lookup(false)); err != nil {
		return "", redactError(err, b.secrets)
	}
	for _, x := range []string{b.scheme.pass, b.scheme.secret, b.scheme.session} {
		if x != "" {
			b.secrets = append(b.secrets, x)
		}
	}
	if p.parts.scheme.typ == vault.SchemeBasic {
		b.secrets = append(b.secrets, base64.StdEncoding.EncodeToString([]byte(b.scheme.user+":"+b.scheme.pass)))
	}
	if b.real == nil {
		b.real = b.base.clone()
	}
	if _, err := p.applyScheme(b.real, b.scheme, false, now); err != nil {
		return "", err
	}
	return desc, nil
}
