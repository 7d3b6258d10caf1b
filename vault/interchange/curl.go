package interchange

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/lazyre"
)

// This file imports curl command lines (`authdeck import curl FILE|-`), as
// copied from a browser's developer tools ("Copy as cURL") or API docs: one
// or more commands, with line continuations, quotes of every kind, and the
// options that shape a request. A credential on the command line (-u,
// Authorization, an API key header, --oauth2-bearer, a cookie) goes to the
// vault; the saved request refers to it.

// ParseCurl reads one or more curl command lines and returns the batch that
// creates a saved request for each (named opts.Name, else after the method
// and URL) and a report. Credentials on the command line go to the vault
// and the request uses them. On any problem it returns an *ImportError
// listing every problem and an empty batch.
func ParseCurl(data []byte, opts RequestImportOptions) (vault.Batch, []Note, error) {
	if err := opts.checkText(data); err != nil {
		return vault.Batch{}, nil, err
	}
	cmds, err := SplitShell(string(data))
	var se *ShellWordsError
	if errors.As(err, &se) {
		return vault.Batch{}, nil, &ImportError{Problems: []ImportProblem{{Line: se.Line, Col: se.Col, Err: vault.ErrInvalid, Msg: se.Msg}}}
	}
	if err != nil {
		return vault.Batch{}, nil, err
	}
	im := newReqImporter(opts)
	n := 0
	for _, cmd := range cmds {
		if im.shellAssignment(cmd) {
			continue
		}
		prog := path.Base(strings.ReplaceAll(cmd.Words[0], `\`, "/"))
		if prog != "curl" && prog != "curl.exe" {
			im.notes = append(im.notes, Note{Kind: NoteSkipped, Line: cmd.Line, Col: 1, Msg: fmt.Sprintf("%q is not a curl command", truncate(cmd.Words[0], 40))})
			continue
		}
		n++
		im.curl(cmd, n, opts.Name)
	}
	if n == 0 && len(im.problems) == 0 {
		im.problem("", 0, 0, vault.ErrInvalid, "no curl command found")
	}
	return im.finish()
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// curlAt writes the notes about one curl command.
type curlAt struct {
	im    *reqImporter
	label string
	line  int
}

// skip notes something of the command that is not imported.
func (a curlAt) skip(format string, args ...any) {
	a.im.notes = append(a.im.notes, Note{Kind: NoteSkipped, Item: a.label, Line: a.line, Col: 1, Msg: fmt.Sprintf(format, args...)})
}

// warn notes something imported that behaves differently from curl, or
// needs the user's attention.
func (a curlAt) warn(format string, args ...any) {
	a.im.notes = append(a.im.notes, Note{Kind: NoteWarning, Item: a.label, Line: a.line, Col: 1, Msg: fmt.Sprintf(format, args...)})
}

// curlParsed is what the options of one curl command say about a request.
type curlParsed struct {
	method, rawURL         string
	headers                []vault.Header
	data                   []string
	get, head, insecure    bool
	user                   *[2]string
	bearer                 string
	digest                 bool
	jsonBody               bool
	urlQuery               []string
	upload, form, fileData bool
	formFields             []vault.FormField
	uploadFile             string
	dataFiles              []string
	stripNewlines          bool
}

// curlRequest builds the request curl sends to one URL of a command.
func (im *reqImporter) curlRequest(cmd ShellCommand, n int, name, label string, c curlParsed) {
	at := curlAt{im: im, label: label, line: cmd.Line}
	r := vault.Request{URL: at.url(c), Headers: c.headers, InsecureSkipVerify: c.insecure}
	curlDataBody(&r, c)
	at.bodyFile(&r, c)
	at.formOrUpload(&r, c)
	r.Method = curlMethod(c)
	if c.insecure {
		at.warn("-k: TLS verification is turned off for this request (shown when it is sent)")
	}
	r.Name = curlName(name, n, r)
	at.auth(&r, c)
	if dir := im.opts.BaseDir; dir != "" {
		resolveRequestFiles(&r, dir)
	}
	im.secretize(&r, label)
	im.addRequest(r, label)
}

// url returns the URL curl requests: a bare host gets http://, and
// --url-query parts are appended.
func (a curlAt) url(c curlParsed) string {
	rawURL := c.rawURL
	if !strings.Contains(rawURL, "://") {
		rawURL = "http://" + rawURL // what curl does with a bare host
		a.warn("the URL has no scheme; http:// was assumed, as curl does")
	}
	if len(c.urlQuery) == 0 {
		return rawURL
	}
	sep := "?"
	if strings.Contains(rawURL, "?") {
		sep = "&"
		if strings.HasSuffix(rawURL, "&") || strings.HasSuffix(rawURL, "?") {
			sep = ""
		}
	}
	return rawURL + sep + strings.Join(c.urlQuery, "&")
}

// curlNamesHeader reports whether the command line names the header, to
// send it or (disabled: -H 'Name:') to send none: curl then adds no header
// of that name of its own.
func curlNamesHeader(hs []vault.Header, name string) bool {
	return slices.ContainsFunc(hs, func(h vault.Header) bool { return strings.EqualFold(h.Name, name) })
}

// curlDataBody sets the body of -d and --json (or, with -G, the query it
// becomes) and the content headers curl adds.
func curlDataBody(r *vault.Request, c curlParsed) {
	body := strings.Join(c.data, "&")
	if c.jsonBody {
		body = strings.Join(c.data, "")
		if !curlNamesHeader(r.Headers, "Content-Type") {
			r.Headers = append(r.Headers, vault.Header{Name: "Content-Type", Value: "application/json"})
		}
		if !curlNamesHeader(r.Headers, "Accept") {
			r.Headers = append(r.Headers, vault.Header{Name: "Accept", Value: "application/json"})
		}
	}
	switch {
	case c.get && len(c.data) > 0:
		sep := "?"
		if strings.Contains(r.URL, "?") {
			sep = "&"
		}
		r.URL += sep + body
	case len(c.data) > 0:
		r.Body = body
		if !curlNamesHeader(r.Headers, "Content-Type") {
			r.Headers = append(r.Headers, vault.Header{Name: "Content-Type", Value: "application/x-www-form-urlencoded"})
		}
	}
}

// bodyFile sets the body file of -d @file, when it is the whole body.
func (a curlAt) bodyFile(r *vault.Request, c curlParsed) {
	switch {
	case len(c.dataFiles) > 0 && (len(c.data) > 0 || len(c.dataFiles) > 1 || c.get):
		a.skip("the body mixes data read from files with other data; it is not imported")
	case len(c.dataFiles) == 1:
		r.BodyFile = c.dataFiles[0]
		if !curlNamesHeader(r.Headers, "Content-Type") {
			r.Headers = append(r.Headers, vault.Header{Name: "Content-Type", Value: "application/x-www-form-urlencoded"})
		}
		// curl -d @file sends the file without its line breaks; the
		// request does the same when sent (--data-binary sends it as it is).
		r.StripLineBreaks = c.stripNewlines
	}
}

// formOrUpload sets the multipart form of -F, or the file -T uploads.
func (a curlAt) formOrUpload(r *vault.Request, c curlParsed) {
	switch {
	case len(c.formFields) > 0 && (len(c.data) > 0 || len(c.dataFiles) > 0 || c.uploadFile != ""):
		a.skip("-F cannot be combined with -d or -T (curl refuses it); the form is not imported")
	case len(c.formFields) > 0:
		r.Form = c.formFields
	case c.uploadFile != "":
		if len(c.data) > 0 || len(c.dataFiles) > 0 {
			a.skip("-T with -d: only the data is imported")
			return
		}
		r.BodyFile = c.uploadFile
		// curl asks the server before it uploads a file (-T).
		r.Headers = append(r.Headers, vault.Header{Name: "Expect", Value: "100-continue"})
		if u, err := url.Parse(r.URL); err == nil && (u.Path == "" || strings.HasSuffix(u.Path, "/")) && !strings.Contains(r.URL, "?") {
			// curl appends the file's name to a URL that ends in a slash
			r.URL = strings.TrimSuffix(r.URL, "/") + "/" + url.PathEscape(path.Base(strings.ReplaceAll(c.uploadFile, `\`, "/")))
		}
	}
}

// curlMethod returns the method curl uses: -X, else what the other
// options imply.
func curlMethod(c curlParsed) string {
	switch {
	case c.method != "":
		return c.method
	case c.head:
		return "HEAD"
	case c.upload:
		return "PUT" // what curl does with -T
	case c.form:
		return "POST"
	case (len(c.data) > 0 || c.fileData) && !c.get:
		return "POST"
	default:
		return "GET"
	}
}

// auth turns -u (Basic or, with --digest, Digest) and --oauth2-bearer
// into the request's credential, its secret going to the vault.
func (a curlAt) auth(r *vault.Request, c curlParsed) {
	im, user := a.im, c.user
	switch {
	case user != nil && c.digest && user[0] != "":
		// --digest: the sender answers the server's challenge (RFC 7616);
		// the password goes to the vault as a secret variable.
		r.Scheme = &vault.AuthScheme{Type: vault.SchemeDigest, Username: user[0], Password: im.secretVar(r.Name+" password", user[1], a.label+" (-u with --digest)")}
	case user != nil && user[0] == "":
		// curl still sends Basic with an empty user name; a SIMPLE
		// secret needs one, so the header's blob becomes a secret
		// variable (secretize), sent byte for byte.
		r.Headers = setHeader(r.Headers, "Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(":"+user[1])))
	case user != nil:
		if user[1] == "" {
			a.warn("-u gives no password (curl would prompt); the secret has an empty password")
		}
		r.Auth = im.addCredential(r.Name+" basic", vault.Secret{Type: vault.TypeSimple}, vault.SecretValue{Username: user[0], Passphrase: user[1]}, a.label+" (-u)")
	case c.bearer != "":
		r.Auth = im.addCredential(r.Name+" token", vault.Secret{Type: vault.TypeAPIKey, HeaderName: "Authorization"}, vault.SecretValue{Key: "Bearer " + c.bearer, HeaderName: "Authorization"}, a.label+" (--oauth2-bearer)")
	}
}

// resolveRequestFiles makes the request's relative body and form file
// paths relative to dir (not ~ paths or templated ones).
func resolveRequestFiles(r *vault.Request, dir string) {
	abs := func(p string) string {
		if p == "" || filepath.IsAbs(p) || strings.HasPrefix(p, "~") || strings.Contains(p, "{{") {
			return p
		}
		return filepath.Join(dir, p)
	}
	r.BodyFile = abs(r.BodyFile)
	for i := range r.Form {
		r.Form[i].File = abs(r.Form[i].File)
	}
}

// curlURLEncode encodes a --data-urlencode or --url-query argument as curl
// does: "name=content" encodes the content, "=content" and "content" encode
// all of it without a name.
func curlURLEncode(v string) string {
	k, val, hasEq := strings.Cut(v, "=")
	switch {
	case hasEq && k == "":
		return curlEscape(val)
	case hasEq:
		return k + "=" + curlEscape(val)
	}
	return curlEscape(v)
}

// curlEscape percent-encodes like curl_easy_escape: everything but
// letters, digits and "-._~", a space as %20.
func curlEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// curlName names an imported command: the given name, else method, host and path.
func curlName(name string, n int, r vault.Request) string {
	if name != "" {
		if n > 1 {
			return fmt.Sprintf("%s %d", name, n)
		}
		return name
	}
	target := r.URL
	if u, err := url.Parse(r.URL); err == nil && u.Host != "" {
		target = u.Host + strings.ReplaceAll(strings.TrimSuffix(u.Path, "/"), "/", " ")
	}
	return r.Method + " " + target
}

// curlFormField reads a -F / --form-string argument: name=value,
// name=@file (a file part), each with ;type= and ;filename= options, and
// values in double quotes as curl reads them. literal (--form-string)
// takes the value as it is.
func curlFormField(arg string, literal bool) (vault.FormField, bool) {
	name, v, ok := strings.Cut(arg, "=")
	if !ok || name == "" {
		return vault.FormField{}, false
	}
	f := vault.FormField{Name: name}
	if literal {
		f.Value = v
		return f, true
	}
	isFile := strings.HasPrefix(v, "@")
	if isFile {
		v = v[1:]
	}
	word, rest := curlFormWord(v)
	for rest != "" {
		var opt string
		opt, rest = curlFormWord(strings.TrimPrefix(rest, ";"))
		k, val, _ := strings.Cut(opt, "=")
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "type":
			f.ContentType = val
		case "filename":
			// the name the server sees; the file read is still word
		}
	}
	if isFile {
		f.IsFile, f.File = true, word
		if f.ContentType == "" {
			f.ContentType = curlFileType(word)
		}
		return f, true
	}
	f.Value = word
	return f, true
}

// curlFormWord reads one word of a -F value: a "quoted string" (with \"
// and \\ escapes) or the text up to the next ';'.
func curlFormWord(s string) (word, rest string) {
	if strings.HasPrefix(s, `"`) {
		var b strings.Builder
		for i := 1; i < len(s); i++ {
			switch c := s[i]; {
			case c == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\'):
				b.WriteByte(s[i+1])
				i++
			case c == '"':
				rest = s[i+1:]
				if j := strings.IndexByte(rest, ';'); j >= 0 {
					return b.String(), rest[j:]
				}
				return b.String(), ""
			default:
				b.WriteByte(c)
			}
		}
		return s, "" // unterminated: taken as written
	}
	if j := strings.IndexByte(s, ';'); j >= 0 {
		return s[:j], s[j:]
	}
	return s, ""
}

// curlFileType is the Content-Type curl gives a file part by its extension.
func curlFileType(name string) string {
	ext := strings.ToLower(path.Ext(strings.ReplaceAll(name, `\`, "/")))
	switch ext {
	case ".gif":
		return "image/gif"
	case ".jpg", ".jpeg":
		return "image/jpeg"
	case ".png":
		return "image/png"
	case ".svg":
		return "image/svg+xml"
	case ".txt":
		return "text/plain"
	case ".htm", ".html":
		return "text/html"
	case ".pdf":
		return "application/pdf"
	case ".xml":
		return "application/xml"
	}
	return "application/octet-stream"
}

// shellVar matches an assignment word: NAME=value.
var shellVar = lazyre.New(`^([A-Za-z_][A-Za-z0-9_]*)=`)

// shellAssignment records the variables a script line sets (TOKEN=…,
// export TOKEN=…) so a later $TOKEN can be explained; it reports whether
// the line is nothing but assignments.
func (im *reqImporter) shellAssignment(cmd ShellCommand) bool {
	words := cmd.Words
	if len(words) > 0 && (words[0] == "export" || words[0] == "declare" || words[0] == "local" || words[0] == "readonly") {
		words = words[1:]
	}
	if len(words) == 0 {
		return false
	}
	for _, w := range words {
		if !shellVar.MatchString(w) {
			return false
		}
	}
	if im.shellVars == nil {
		im.shellVars = map[string]int{}
	}
	for _, w := range words {
		im.shellVars[shellVar.FindStringSubmatch(w)[1]] = cmd.Line
	}
	im.notes = append(im.notes, Note{Kind: NoteSkipped, Line: cmd.Line, Col: 1, Msg: "a shell variable assignment: authdeck runs no script, so later commands keep $NAME as written"})
	return true
}

// expansionNote says what a shell expansion kept as written is.
func (im *reqImporter) expansionNote(e string) string {
	switch {
	case strings.HasPrefix(e, "$("), strings.HasPrefix(e, "`"):
		return fmt.Sprintf("%s is a command substitution: authdeck runs no shell command, so it is kept as written", truncate(e, 40))
	}
	name := strings.Trim(strings.TrimPrefix(e, "$"), "{}")
	if k := strings.IndexAny(name, ":-=?+#%/"); k > 0 {
		name = name[:k]
	}
	if line, ok := im.shellVars[name]; ok {
		return fmt.Sprintf("%s is set on line %d of the script, which authdeck does not run: kept as written; put its value in a variable {{%s}} and use that", e, line, name)
	}
	return fmt.Sprintf("%s is a shell variable of your environment, kept as written (not expanded); put its value in a variable {{%s}} and use that", truncate(e, 40), name)
}
