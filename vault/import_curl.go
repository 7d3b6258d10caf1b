package vault

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file imports curl command lines (`authdeck import curl FILE|-`), as
// copied from a browser's developer tools ("Copy as cURL") or API docs: one
// or more commands, with line continuations, quotes of every kind, and the
// options that shape a request. A credential on the command line (-u,
// Authorization, an API key header, --oauth2-bearer, a cookie) goes to the
// vault; the saved request refers to it.

// ShellWordsError reports a command line that cannot be split into words.
type ShellWordsError struct {
	Line, Col int
	Msg       string
}

func (e *ShellWordsError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Col, e.Msg)
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *ShellWordsError) Is(target error) bool { return target == ErrInvalid }

// ShellCommand is one command of a shell text: its words, the line it starts
// on, and the shell features it used that were taken literally.
type ShellCommand struct {
	Words []string
	Line  int
	// Expansions are $VAR, ${VAR}, $(…) and `…` found outside single
	// quotes; they are kept as written, not expanded.
	Expansions []string
	// Piped says the command was followed by a pipe or redirection that was dropped.
	Piped bool
}

// SplitShell splits POSIX shell text into commands and words: spaces and
// tabs separate words; a newline, ';', '&&', '||' or '|' ends a command; a
// backslash before a newline joins lines; single quotes, double quotes
// (with \$ \` \" \\ escapes) and $'…' (ANSI-C escapes) quote; '#' at the
// start of a word comments out the rest of the line. Nothing is expanded.
func SplitShell(text string) ([]ShellCommand, error) {
	s := &shellScanner{src: text, line: 1, col: 1}
	return s.run()
}

type shellScanner struct {
	src       string
	pos       int
	line, col int
	cmds      []ShellCommand
	cur       ShellCommand
	word      strings.Builder
	inWord    bool
	skipRest  bool // after a pipe or redirection, until the command ends
}

func (s *shellScanner) fail(line, col int, format string, args ...any) error {
	return &ShellWordsError{Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

func (s *shellScanner) advance(n int) {
	for i := 0; i < n && s.pos < len(s.src); i++ {
		if s.src[s.pos] == '\n' {
			s.line++
			s.col = 1
		} else if utf8.RuneStart(s.src[s.pos]) {
			s.col++
		}
		s.pos++
	}
}

func (s *shellScanner) endWord() {
	if s.inWord && !s.skipRest {
		s.cur.Words = append(s.cur.Words, s.word.String())
	}
	s.word.Reset()
	s.inWord = false
}

func (s *shellScanner) endCommand() {
	s.endWord()
	if len(s.cur.Words) > 0 {
		s.cmds = append(s.cmds, s.cur)
	}
	s.cur = ShellCommand{Line: s.line}
	s.skipRest = false
}

func (s *shellScanner) expansion(text string) {
	if len(s.cur.Expansions) < 16 {
		s.cur.Expansions = append(s.cur.Expansions, text)
	}
}

// dollar handles '$' outside single quotes: $'…' quoting, or an expansion
// kept literally. It returns false when '$' is just a character.
func (s *shellScanner) dollar(inDouble bool) (bool, error) {
	rest := s.src[s.pos+1:]
	switch {
	case !inDouble && strings.HasPrefix(rest, "'"):
		line, col := s.line, s.col
		s.advance(2)
		s.inWord = true
		for {
			if s.pos >= len(s.src) {
				return true, s.fail(line, col, "$'…' quote is never closed")
			}
			c := s.src[s.pos]
			if c == '\'' {
				s.advance(1)
				return true, nil
			}
			if c == '\\' && s.pos+1 < len(s.src) {
				n := s.ansiEscape()
				s.advance(n)
				continue
			}
			s.word.WriteByte(c)
			s.advance(1)
		}
	case strings.HasPrefix(rest, "("), strings.HasPrefix(rest, "{"):
		closeC := map[byte]byte{'(': ')', '{': '}'}[rest[0]]
		end := strings.IndexByte(rest, closeC)
		if end < 0 {
			end = len(rest) - 1
		}
		text := "$" + rest[:end+1]
		s.expansion(text)
		s.word.WriteString(text)
		s.inWord = true
		s.advance(len(text))
		return true, nil
	case len(rest) > 0 && (rest[0] == '_' || rest[0] >= 'A' && rest[0] <= 'Z' || rest[0] >= 'a' && rest[0] <= 'z'):
		n := 0
		for n < len(rest) && (rest[n] == '_' || rest[n] >= 'A' && rest[n] <= 'Z' || rest[n] >= 'a' && rest[n] <= 'z' || rest[n] >= '0' && rest[n] <= '9') {
			n++
		}
		s.expansion("$" + rest[:n])
		s.word.WriteString("$" + rest[:n])
		s.inWord = true
		s.advance(n + 1)
		return true, nil
	}
	return false, nil
}

// ansiEscape decodes the escape at s.pos (a backslash) of a $'…' string into
// the word and returns how many bytes it spans.
func (s *shellScanner) ansiEscape() int {
	src := s.src[s.pos:]
	if len(src) < 2 {
		return 1
	}
	simple := map[byte]string{'n': "\n", 't': "\t", 'r': "\r", '\\': "\\", '\'': "'", '"': "\"", 'a': "\a", 'b': "\b", 'e': "\x1b", 'E': "\x1b", 'f': "\f", 'v': "\v", '?': "?"}
	if v, ok := simple[src[1]]; ok {
		s.word.WriteString(v)
		return 2
	}
	hexRun := func(from, max int) (int, int) {
		n, v := 0, 0
		for n < max && from+n < len(src) {
			d, err := strconv.ParseUint(src[from+n:from+n+1], 16, 8)
			if err != nil {
				break
			}
			v = v*16 + int(d)
			n++
		}
		return n, v
	}
	switch src[1] {
	case 'x':
		if n, v := hexRun(2, 2); n > 0 {
			s.word.WriteByte(byte(v)) //nolint:gosec // G115: two hex digits are at most 0xff
			return 2 + n
		}
	case 'u', 'U':
		max := 4
		if src[1] == 'U' {
			max = 8
		}
		if n, v := hexRun(2, max); n > 0 {
			if v > utf8.MaxRune {
				v = utf8.RuneError
			}
			s.word.WriteRune(rune(v))
			return 2 + n
		}
	case '0', '1', '2', '3', '4', '5', '6', '7':
		n, v := 0, 0
		for n < 3 && 1+n < len(src) && src[1+n] >= '0' && src[1+n] <= '7' {
			v = v*8 + int(src[1+n]-'0')
			n++
		}
		s.word.WriteByte(byte(v))
		return 1 + n
	}
	s.word.WriteString(src[:2])
	return 2
}

func (s *shellScanner) run() ([]ShellCommand, error) {
	s.cur = ShellCommand{Line: 1}
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		switch {
		case c == '\\':
			if s.pos+1 < len(s.src) && s.src[s.pos+1] == '\n' {
				s.advance(2) // line continuation
				continue
			}
			if strings.HasPrefix(s.src[s.pos+1:], "\r\n") {
				s.advance(3)
				continue
			}
			if s.pos+1 < len(s.src) {
				s.word.WriteByte(s.src[s.pos+1])
				s.inWord = true
				s.advance(2)
				continue
			}
			s.advance(1)
		case c == ' ' || c == '\t' || c == '\r':
			s.endWord()
			s.advance(1)
		case c == '\n':
			s.endCommand()
			s.advance(1)
			s.cur.Line = s.line
		case c == '#' && !s.inWord:
			for s.pos < len(s.src) && s.src[s.pos] != '\n' {
				s.advance(1)
			}
		case c == ';' || c == '&' || c == '|' || ((c == '>' || c == '<') && !s.inWord):
			double := s.pos+1 < len(s.src) && s.src[s.pos+1] == c
			switch {
			case c == '|' && !double, c == '>' || c == '<':
				s.endWord()
				if len(s.cur.Words) > 0 {
					s.cur.Piped = true
				}
				s.skipRest = true
				s.advance(1)
			case c == '&' && !double:
				s.endWord()
				s.advance(1) // a background '&': the command still ends here
				s.endCommand()
			default:
				n := 1
				if double {
					n = 2
				}
				s.advance(n)
				s.endCommand()
			}
		case c == '\'':
			line, col := s.line, s.col
			end := strings.IndexByte(s.src[s.pos+1:], '\'')
			if end < 0 {
				return nil, s.fail(line, col, "single quote is never closed")
			}
			s.word.WriteString(s.src[s.pos+1 : s.pos+1+end])
			s.inWord = true
			s.advance(end + 2)
		case c == '"':
			line, col := s.line, s.col
			s.advance(1)
			s.inWord = true
			closed := false
			for s.pos < len(s.src) {
				d := s.src[s.pos]
				if d == '"' {
					s.advance(1)
					closed = true
					break
				}
				if d == '\\' && s.pos+1 < len(s.src) {
					switch e := s.src[s.pos+1]; e {
					case '$', '`', '"', '\\':
						s.word.WriteByte(e)
						s.advance(2)
						continue
					case '\n':
						s.advance(2)
						continue
					}
				}
				if d == '$' {
					ok, err := s.dollar(true)
					if err != nil {
						return nil, err
					}
					if ok {
						continue
					}
				}
				if d == '`' {
					end := strings.IndexByte(s.src[s.pos+1:], '`')
					if end >= 0 {
						s.expansion(s.src[s.pos : s.pos+end+2])
					}
				}
				s.word.WriteByte(d)
				s.advance(1)
			}
			if !closed {
				return nil, s.fail(line, col, "double quote is never closed")
			}
		case c == '$':
			ok, err := s.dollar(false)
			if err != nil {
				return nil, err
			}
			if !ok {
				s.word.WriteByte(c)
				s.inWord = true
				s.advance(1)
			}
		case c == '`':
			end := strings.IndexByte(s.src[s.pos+1:], '`')
			if end >= 0 {
				s.expansion(s.src[s.pos : s.pos+end+2])
			}
			s.word.WriteByte(c)
			s.inWord = true
			s.advance(1)
		default:
			s.word.WriteByte(c)
			s.inWord = true
			s.advance(1)
		}
	}
	s.endCommand()
	return s.cmds, nil
}

// curl options that take a value, by every spelling.
var curlValueOpts = map[string]string{
	"-X": "request", "--request": "request", "-H": "header", "--header": "header",
	"-d": "data", "--data": "data", "--data-ascii": "data", "--data-binary": "data-binary", "--data-raw": "data-raw",
	"--data-urlencode": "data-urlencode", "--json": "json", "-u": "user", "--user": "user", "--url": "url",
	"-A": "user-agent", "--user-agent": "user-agent", "-e": "referer", "--referer": "referer",
	"-b": "cookie", "--cookie": "cookie", "-F": "form", "--form": "form", "--form-string": "form",
	"--oauth2-bearer": "oauth2-bearer",
	// taken but not part of a saved request
	"-o": "ignore", "--output": "ignore", "-x": "proxy", "--proxy": "proxy", "-m": "ignore", "--max-time": "ignore",
	"--connect-timeout": "ignore", "-w": "ignore", "--write-out": "ignore", "-T": "upload", "--upload-file": "upload",
	"-E": "cert", "--cert": "cert", "--key": "cert", "--cacert": "ignore", "--capath": "ignore", "-c": "ignore", "--cookie-jar": "ignore",
	"-r": "ignore", "--range": "ignore", "-U": "proxy", "--proxy-user": "proxy", "--retry": "ignore", "--retry-delay": "ignore",
	"--retry-max-time": "ignore", "--resolve": "ignore", "--connect-to": "ignore", "--limit-rate": "ignore", "-K": "config", "--config": "config",
	"--aws-sigv4": "unsupported-auth", "--request-target": "ignore", "-D": "ignore", "--dump-header": "ignore", "--cert-type": "ignore",
	"--key-type": "ignore", "--pass": "cert", "--interface": "ignore", "--max-redirs": "ignore", "--trace": "ignore", "--trace-ascii": "ignore",
	"--stderr": "ignore", "-Y": "ignore", "-y": "ignore", "-z": "ignore", "--time-cond": "ignore", "--variable": "ignore", "--ciphers": "ignore",
}

// curl options without a value that matter; all others without a value are ignored.
var curlFlagOpts = map[string]string{
	"-k": "insecure", "--insecure": "insecure", "-G": "get", "--get": "get", "-I": "head", "--head": "head",
	"--digest": "unsupported-auth", "--ntlm": "unsupported-auth", "--negotiate": "unsupported-auth", "--anyauth": "unsupported-auth",
}

// curlShortNoValue are single-letter curl flags that take no value.
const curlShortNoValue = "sSLkGIivfNn#0123456OJZglqRBjMpV"

// ParseCurl reads one or more curl command lines and returns the batch that
// creates a saved request for each (named opts.Name, else after the method
// and URL) and a report. Credentials on the command line go to the vault
// and the request uses them. On any problem it returns an *ImportError
// listing every problem and an empty batch.
func ParseCurl(data []byte, opts RequestImportOptions) (Batch, []Note, error) {
	if err := opts.checkText(data); err != nil {
		return Batch{}, nil, err
	}
	cmds, err := SplitShell(string(data))
	var se *ShellWordsError
	if errors.As(err, &se) {
		return Batch{}, nil, &ImportError{Problems: []ImportProblem{{Line: se.Line, Col: se.Col, Err: ErrInvalid, Msg: se.Msg}}}
	}
	if err != nil {
		return Batch{}, nil, err
	}
	im := newReqImporter(opts)
	n := 0
	for _, cmd := range cmds {
		prog := path.Base(strings.ReplaceAll(cmd.Words[0], `\`, "/"))
		if prog != "curl" && prog != "curl.exe" {
			im.notes = append(im.notes, Note{Kind: NoteSkipped, Line: cmd.Line, Col: 1, Msg: fmt.Sprintf("%q is not a curl command", truncate(cmd.Words[0], 40))})
			continue
		}
		n++
		im.curl(cmd, n, opts.Name)
	}
	if n == 0 && len(im.problems) == 0 {
		im.problem("", 0, 0, ErrInvalid, "no curl command found")
	}
	return im.finish()
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

func (im *reqImporter) curl(cmd ShellCommand, n int, name string) {
	label := fmt.Sprintf("command on line %d", cmd.Line)
	where := func(msg string, args ...any) {
		im.notes = append(im.notes, Note{Kind: NoteSkipped, Item: label, Line: cmd.Line, Col: 1, Msg: fmt.Sprintf(msg, args...)})
	}
	for _, e := range cmd.Expansions {
		im.notes = append(im.notes, Note{Kind: NoteWarning, Item: label, Line: cmd.Line, Col: 1, Msg: fmt.Sprintf("%s is a shell expansion, kept as written (not expanded)", truncate(e, 40))})
	}
	if cmd.Piped {
		where("the pipe or redirection after the command is not part of a request")
	}
	var (
		method, rawURL string
		headers        []Header
		data           []string
		get, head      bool
		insecure       bool
		user           *[2]string
		bearer         string
		jsonBody       bool
		extraURLs      int
	)
	words := cmd.Words[1:]
	value := func(i *int, opt string) (string, bool) {
		if *i+1 >= len(words) {
			im.problem(label, cmd.Line, 1, ErrInvalid, "option %s needs a value", opt)
			return "", false
		}
		*i++
		return words[*i], true
	}
	apply := func(kind, opt, v string) {
		switch kind {
		case "request":
			method = strings.ToUpper(v)
		case "header":
			k, val, ok := strings.Cut(v, ":")
			k = strings.TrimSpace(k)
			switch {
			case !ok && strings.HasSuffix(k, ";"):
				headers = append(headers, Header{Name: strings.TrimSuffix(k, ";"), Value: ""})
			case !ok || k == "":
				where("header %q is not \"Name: value\"", truncate(v, 40))
			case strings.HasPrefix(k, "@"):
				where("headers from a file (%s) are not imported", k)
			default:
				headers = append(headers, Header{Name: k, Value: strings.TrimSpace(val)})
			}
		case "data", "data-binary", "data-raw", "json":
			if kind != "data-raw" && strings.HasPrefix(v, "@") {
				where("%s %s reads a file, which is not imported; put the body in the request", opt, v)
				return
			}
			if kind == "data" {
				v = strings.NewReplacer("\r", "", "\n", "").Replace(v) // curl strips newlines with -d
			}
			data = append(data, v)
			jsonBody = jsonBody || kind == "json"
		case "data-urlencode":
			k, val, hasEq := strings.Cut(v, "=")
			switch {
			case hasEq && k == "":
				data = append(data, url.QueryEscape(val))
			case hasEq:
				data = append(data, k+"="+url.QueryEscape(val))
			case strings.Contains(v, "@"):
				where("%s %s reads a file, which is not imported", opt, v)
			default:
				data = append(data, url.QueryEscape(v))
			}
		case "user":
			u, p, _ := strings.Cut(v, ":")
			user = &[2]string{u, p}
		case "url":
			if rawURL == "" {
				rawURL = v
			} else {
				extraURLs++
			}
		case "user-agent":
			headers = append(headers, Header{Name: "User-Agent", Value: v})
		case "referer":
			headers = append(headers, Header{Name: "Referer", Value: v})
		case "cookie":
			if !strings.Contains(v, "=") {
				where("cookies from a file (%s) are not imported", v)
				return
			}
			headers = append(headers, Header{Name: "Cookie", Value: v})
		case "form":
			where("multipart form fields (%s) are not imported", opt)
		case "oauth2-bearer":
			bearer = v
		case "insecure":
			insecure = true
		case "get":
			get = true
		case "head":
			head = true
		case "proxy":
			where("proxy settings (%s) are not part of a request; authdeck uses the environment's proxy", opt)
		case "cert":
			where("%s: client certificates are CLIENT_CERT secrets; create one and use it with the request", opt)
		case "upload":
			where("%s uploads a file, which is not imported", opt)
		case "config":
			where("%s reads options from a file, which is not imported", opt)
		case "unsupported-auth":
			where("%s authentication is not supported", opt)
		}
	}
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch {
		case w == "--":
			for _, rest := range words[i+1:] {
				apply("url", "", rest)
			}
			i = len(words)
		case strings.HasPrefix(w, "--"):
			opt, val, hasVal := strings.Cut(w, "=")
			if kind, ok := curlValueOpts[opt]; ok {
				if !hasVal {
					v, ok := value(&i, opt)
					if !ok {
						return
					}
					val = v
				}
				apply(kind, opt, val)
			} else if kind, ok := curlFlagOpts[opt]; ok {
				apply(kind, opt, "")
			} else if strings.HasPrefix(opt, "--no-") || knownCurlFlag(opt) {
				// output and transfer flags: nothing to keep
			} else {
				where("unknown option %s ignored", truncate(opt, 30))
			}
		case strings.HasPrefix(w, "-") && len(w) > 1:
			for k := 1; k < len(w); k++ {
				opt := "-" + string(w[k])
				if kind, ok := curlValueOpts[opt]; ok {
					val := w[k+1:]
					if val == "" {
						v, ok := value(&i, opt)
						if !ok {
							return
						}
						val = v
					}
					apply(kind, opt, val)
					break
				}
				if kind, ok := curlFlagOpts[opt]; ok {
					apply(kind, opt, "")
					continue
				}
				if !strings.ContainsRune(curlShortNoValue, rune(w[k])) {
					where("unknown option %s ignored", opt)
				}
			}
		default:
			apply("url", "", w)
		}
	}
	if rawURL == "" {
		im.problem(label, cmd.Line, 1, ErrInvalid, "no URL")
		return
	}
	if extraURLs > 0 {
		where("%d more URL(s) in the same command are not imported", extraURLs)
	}
	if !strings.Contains(rawURL, "://") {
		rawURL = "https://" + rawURL // curl's default for a bare host is http; https is what an API wants
		im.notes = append(im.notes, Note{Kind: NoteWarning, Item: label, Line: cmd.Line, Col: 1, Msg: "the URL has no scheme; https:// was assumed"})
	}
	r := Request{URL: rawURL, Headers: headers, InsecureSkipVerify: insecure}
	body := strings.Join(data, "&")
	if jsonBody {
		body = strings.Join(data, "")
		if !hasHeader(r.Headers, "Content-Type") {
			r.Headers = append(r.Headers, Header{Name: "Content-Type", Value: "application/json"})
		}
		if !hasHeader(r.Headers, "Accept") {
			r.Headers = append(r.Headers, Header{Name: "Accept", Value: "application/json"})
		}
	}
	switch {
	case get && len(data) > 0:
		sep := "?"
		if strings.Contains(r.URL, "?") {
			sep = "&"
		}
		r.URL += sep + body
	case len(data) > 0:
		r.Body = body
		if !hasHeader(r.Headers, "Content-Type") {
			r.Headers = append(r.Headers, Header{Name: "Content-Type", Value: "application/x-www-form-urlencoded"})
		}
	}
	switch {
	case method != "":
		r.Method = method
	case head:
		r.Method = "HEAD"
	case len(data) > 0 && !get:
		r.Method = "POST"
	default:
		r.Method = "GET"
	}
	if insecure {
		im.notes = append(im.notes, Note{Kind: NoteWarning, Item: label, Line: cmd.Line, Col: 1, Msg: "-k: TLS verification is turned off for this request (shown when it is sent)"})
	}
	r.Name = curlName(name, n, r)
	switch {
	case user != nil:
		if user[0] == "" {
			where("-u without a user name")
			break
		}
		if user[1] == "" {
			im.notes = append(im.notes, Note{Kind: NoteWarning, Item: label, Line: cmd.Line, Col: 1, Msg: "-u gives no password (curl would prompt); the secret has an empty password"})
		}
		r.Auth = im.addCredential(r.Name+" basic", Secret{Type: TypeSimple}, SecretValue{Username: user[0], Passphrase: user[1]}, label+" (-u)")
	case bearer != "":
		r.Auth = im.addCredential(r.Name+" token", Secret{Type: TypeAPIKey, HeaderName: "Authorization"}, SecretValue{Key: "Bearer " + bearer, HeaderName: "Authorization"}, label+" (--oauth2-bearer)")
	}
	im.secretize(&r, label)
	im.addRequest(r, label)
}

// knownCurlFlag lists long curl flags without a value that need no note.
func knownCurlFlag(opt string) bool {
	switch opt {
	case "--silent", "--show-error", "--location", "--location-trusted", "--verbose", "--include", "--compressed",
		"--fail", "--fail-with-body", "--fail-early", "--globoff", "--http1.0", "--http1.1", "--http2", "--http2-prior-knowledge",
		"--http3", "--no-buffer", "--progress-bar", "--remote-name", "--remote-name-all", "--remote-header-name",
		"--path-as-is", "--ipv4", "--ipv6", "--tlsv1.2", "--tlsv1.3", "--ssl", "--ssl-reqd", "--raw", "--tr-encoding",
		"--basic", "--create-dirs", "--parallel", "--styled-output", "--netrc", "--netrc-optional", "--tcp-nodelay", "--keepalive":
		return true
	}
	return false
}

// curlName names an imported command: the given name, else method, host and path.
func curlName(name string, n int, r Request) string {
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
