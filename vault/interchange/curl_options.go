package interchange

import (
	"fmt"
	"slices"
	"strings"

	"github.com/authdeck/authdeck/vault"
)

// curlOption is one curl option under both its spellings.
type curlOption struct {
	short byte   // the one-letter spelling (-X), or 0
	long  string // the long spelling (--request), or ""
	kind  string // what it says about a request; "ignore" or "" when nothing
	value bool   // it takes a value (the next word, or after "=" or the letter)
}

// curlOptions are the options authdeck knows: the ones that take a value,
// which it must read past whatever they mean, and the flags that matter or
// need no note. Any other option is noted as ignored (a long one starting
// with --no- silently); one that takes a value in curl (curlValued) is
// skipped with its value. The flags -1 -2 -3 -l -q -R -B -j -M -p -V are
// known by their short spelling only; their long forms are noted as
// unknown, and take no value.
var curlOptions = []curlOption{
	// what a saved request keeps
	{'X', "--request", "request", true},
	{'H', "--header", "header", true},
	{'d', "--data", "data", true},
	{0, "--data-ascii", "data", true},
	{0, "--data-binary", "data-binary", true},
	{0, "--data-raw", "data-raw", true},
	{0, "--data-urlencode", "data-urlencode", true},
	{0, "--json", "json", true},
	{'u', "--user", "user", true},
	{0, "--url", "url", true},
	{'A', "--user-agent", "user-agent", true},
	{'e', "--referer", "referer", true},
	{'b', "--cookie", "cookie", true},
	{'F', "--form", "form", true},
	{0, "--form-string", "form-string", true},
	{0, "--oauth2-bearer", "oauth2-bearer", true},
	{'T', "--upload-file", "upload", true},
	{'r', "--range", "range", true},
	{0, "--url-query", "url-query", true},
	{'k', "--insecure", "insecure", false},
	{'G', "--get", "get", false},
	{'I', "--head", "head", false},
	{0, "--digest", "digest", false},
	{0, "--basic", "basic", false},
	// taken but noted as not part of a saved request
	{'x', "--proxy", "proxy", true},
	{'U', "--proxy-user", "proxy", true},
	{'E', "--cert", "cert", true},
	{0, "--key", "cert", true},
	{0, "--pass", "cert", true},
	{'K', "--config", "config", true},
	{0, "--aws-sigv4", "unsupported-auth", true},
	{0, "--ntlm", "unsupported-auth", false},
	{0, "--negotiate", "unsupported-auth", false},
	{0, "--anyauth", "unsupported-auth", false},
	// taken and dropped without a note: output, timing, transport
	{'o', "--output", "ignore", true},
	{'m', "--max-time", "ignore", true},
	{0, "--connect-timeout", "ignore", true},
	{'w', "--write-out", "ignore", true},
	{0, "--cacert", "ignore", true},
	{0, "--capath", "ignore", true},
	{'c', "--cookie-jar", "ignore", true},
	{0, "--retry", "ignore", true},
	{0, "--retry-delay", "ignore", true},
	{0, "--retry-max-time", "ignore", true},
	{0, "--resolve", "ignore", true},
	{0, "--connect-to", "ignore", true},
	{0, "--limit-rate", "ignore", true},
	{0, "--request-target", "ignore", true},
	{'D', "--dump-header", "ignore", true},
	{0, "--cert-type", "ignore", true},
	{0, "--key-type", "ignore", true},
	{0, "--interface", "ignore", true},
	{0, "--max-redirs", "ignore", true},
	{0, "--trace", "ignore", true},
	{0, "--trace-ascii", "ignore", true},
	{0, "--stderr", "ignore", true},
	{'Y', "--speed-limit", "ignore", true},
	{'y', "--speed-time", "ignore", true},
	{'C', "--continue-at", "ignore", true},
	{'P', "--ftp-port", "ignore", true},
	{'Q', "--quote", "ignore", true},
	{'t', "--telnet-option", "ignore", true},
	{'z', "--time-cond", "ignore", true},
	{0, "--variable", "ignore", true},
	{0, "--ciphers", "ignore", true},
	{'s', "--silent", "", false},
	{'S', "--show-error", "", false},
	{'L', "--location", "", false},
	{0, "--location-trusted", "", false},
	{'v', "--verbose", "", false},
	{'i', "--include", "", false},
	{0, "--compressed", "", false},
	{'f', "--fail", "", false},
	{0, "--fail-with-body", "", false},
	{0, "--fail-early", "", false},
	{'g', "--globoff", "", false},
	{'0', "--http1.0", "", false},
	{0, "--http1.1", "", false},
	{0, "--http2", "", false},
	{0, "--http2-prior-knowledge", "", false},
	{0, "--http3", "", false},
	{'N', "--no-buffer", "", false},
	{'#', "--progress-bar", "", false},
	{'O', "--remote-name", "", false},
	{0, "--remote-name-all", "", false},
	{'J', "--remote-header-name", "", false},
	{0, "--path-as-is", "", false},
	{'4', "--ipv4", "", false},
	{'6', "--ipv6", "", false},
	{0, "--tlsv1.2", "", false},
	{0, "--tlsv1.3", "", false},
	{0, "--ssl", "", false},
	{0, "--ssl-reqd", "", false},
	{0, "--raw", "", false},
	{0, "--tr-encoding", "", false},
	{0, "--create-dirs", "", false},
	{'Z', "--parallel", "", false},
	{0, "--styled-output", "", false},
	{'n', "--netrc", "", false},
	{0, "--netrc-optional", "", false},
	{0, "--tcp-nodelay", "", false},
	{0, "--keepalive", "", false},
	{'1', "", "", false},
	{'2', "", "", false},
	{'3', "", "", false},
	{'5', "", "", false},
	{'l', "", "", false},
	{'q', "", "", false},
	{'R', "", "", false},
	{'B', "", "", false},
	{'j', "", "", false},
	{'M', "", "", false},
	{'p', "", "", false},
	{'V', "", "", false},
}

// curlLong and curlShort index curlOptions by spelling.
var curlLong, curlShort = func() (map[string]curlOption, map[byte]curlOption) {
	long, short := map[string]curlOption{}, map[byte]curlOption{}
	for _, o := range curlOptions {
		if o.long != "" {
			long[o.long] = o
		}
		if o.short != 0 {
			short[o.short] = o
		}
	}
	return long, short
}()

// curlCommand reads the words of one curl command into what they say
// about its requests.
type curlCommand struct {
	curlAt
	words   []string
	p       curlParsed // everything but the URL
	urls    []string
	uploads int
}

func (im *reqImporter) curl(cmd ShellCommand, n int, name string) {
	c := &curlCommand{curlAt: curlAt{im: im, label: fmt.Sprintf("command on line %d", cmd.Line), line: cmd.Line}, words: cmd.Words[1:]}
	c.noteShellFeatures(cmd)
	if !c.readWords() {
		return
	}
	if len(c.urls) == 0 {
		im.problem(c.label, cmd.Line, 1, vault.ErrInvalid, "no URL")
		return
	}
	if c.uploads > 1 {
		c.skip("-T is given %d times: each URL would upload its own file; every request sends the last one", c.uploads)
	}
	// curl sends one request per URL, each with the same options.
	for _, rawURL := range c.urls {
		p := c.p
		p.rawURL, p.headers, p.formFields = rawURL, slices.Clone(c.p.headers), slices.Clone(c.p.formFields)
		im.curlRequest(cmd, n, name, c.label, p)
	}
}

// noteShellFeatures notes what the shell would have done to the command
// and authdeck does not: expansions, process substitutions, pipes.
func (c *curlCommand) noteShellFeatures(cmd ShellCommand) {
	for _, e := range cmd.Expansions {
		c.warn("%s", c.im.expansionNote(e))
	}
	for _, w := range cmd.Words {
		if strings.Contains(w, "<(") || strings.Contains(w, ">(") {
			c.warn("%s is a process substitution: authdeck runs no shell command, so it is kept as written", truncate(w, 40))
		}
	}
	if cmd.Piped {
		c.skip("the pipe or redirection after the command is not part of a request")
	}
}

// readWords reads the command's options and URLs; false when an option
// lacks its value (a problem is recorded).
func (c *curlCommand) readWords() bool {
	for i := 0; i < len(c.words); i++ {
		w := c.words[i]
		ok := true
		switch {
		case w == "--":
			for _, rest := range c.words[i+1:] {
				c.apply("url", "", rest)
			}
			return true
		case strings.HasPrefix(w, "--"):
			ok = c.longOption(&i)
		case strings.HasPrefix(w, "-") && len(w) > 1:
			ok = c.shortOptions(&i)
		default:
			c.apply("url", "", w)
		}
		if !ok {
			return false
		}
	}
	return true
}

// longOption reads the --option (or --option=value) at words[*i].
func (c *curlCommand) longOption(i *int) bool {
	opt, val, hasVal := strings.Cut(c.words[*i], "=")
	o, known := curlLong[opt]
	switch {
	case known && o.value:
		if !hasVal {
			v, ok := c.value(i, opt)
			if !ok {
				return false
			}
			val = v
		}
		c.apply(o.kind, opt, val)
	case known:
		c.apply(o.kind, opt, "")
	case curlValued[opt]:
		// An option curl has and authdeck does not read: its value is
		// skipped with it, never taken for the URL.
		if !hasVal {
			if _, ok := c.value(i, opt); !ok {
				return false
			}
		}
		c.skip("option %s ignored", truncate(opt, 30))
	case !strings.HasPrefix(opt, "--no-"):
		// Output and transfer flags (--no-…) have nothing to keep.
		c.skip("unknown option %s ignored", truncate(opt, 30))
	}
	return true
}

// shortOptions reads the cluster of one-letter options at words[*i]
// (-sSL, -XPOST, -H value); an option taking a value ends the cluster.
func (c *curlCommand) shortOptions(i *int) bool {
	w := c.words[*i]
	for k := 1; k < len(w); k++ {
		opt := "-" + string(w[k])
		o, known := curlShort[w[k]]
		switch {
		case known && o.value:
			val := w[k+1:]
			if val == "" {
				v, ok := c.value(i, opt)
				if !ok {
					return false
				}
				val = v
			}
			c.apply(o.kind, opt, val)
			return true
		case known:
			c.apply(o.kind, opt, "")
		default:
			c.skip("unknown option %s ignored", opt)
		}
	}
	return true
}

// value returns the word after words[*i], the value of opt.
func (c *curlCommand) value(i *int, opt string) (string, bool) {
	if *i+1 >= len(c.words) {
		c.im.problem(c.label, c.line, 1, vault.ErrInvalid, "option %s needs a value", opt)
		return "", false
	}
	*i++
	return c.words[*i], true
}

// apply records what one option (of the given kind) says.
func (c *curlCommand) apply(kind, opt, v string) {
	p := &c.p
	switch kind {
	case "request":
		p.method = strings.ToUpper(v)
	case "header":
		c.header(v)
	case "data", "data-binary", "data-raw", "json":
		c.data(kind, opt, v)
	case "data-urlencode":
		if !strings.Contains(v, "=") && strings.Contains(v, "@") {
			c.skip("%s %s reads a file, which is not imported", opt, v)
			return
		}
		p.data = append(p.data, curlURLEncode(v))
	case "user":
		u, pw, _ := strings.Cut(v, ":")
		p.user = &[2]string{u, pw}
	case "url":
		c.urls = append(c.urls, v)
	case "user-agent":
		p.headers = append(p.headers, vault.Header{Name: "User-Agent", Value: v})
	case "referer":
		p.headers = append(p.headers, vault.Header{Name: "Referer", Value: v})
	case "cookie":
		c.cookie(v)
	case "form", "form-string":
		c.form(kind, opt, v)
	case "range":
		c.rangeHeader(v)
	case "url-query":
		c.urlQuery(opt, v)
	case "oauth2-bearer":
		p.bearer = v
	case "digest", "basic": // the last one given wins, as in curl
		p.digest = kind == "digest"
	case "insecure":
		p.insecure = true
	case "get":
		p.get = true
	case "head":
		p.head = true
	case "upload":
		c.upload(opt, v)
	default:
		c.skipOption(kind, opt)
	}
}

// skipOption notes an option that is understood but not imported.
func (c *curlCommand) skipOption(kind, opt string) {
	switch kind {
	case "proxy":
		c.skip("proxy settings (%s) are not part of a request; authdeck uses the environment's proxy", opt)
	case "cert":
		c.skip("%s: client certificates are CLIENT_CERT secrets; create one and use it with the request", opt)
	case "config":
		c.skip("%s reads options from a file, which is not imported", opt)
	case "unsupported-auth":
		c.skip("%s authentication is not supported", opt)
	}
}

// header reads -H "Name: value" ("Name;" sends an empty header, "Name:"
// none: it removes one curl would add, such as the Content-Type of -d; the
// request keeps it disabled, so nothing adds it back).
func (c *curlCommand) header(v string) {
	k, val, ok := strings.Cut(v, ":")
	k = strings.TrimSpace(k)
	switch {
	case !ok && strings.HasSuffix(k, ";"):
		c.p.headers = append(c.p.headers, vault.Header{Name: strings.TrimSuffix(k, ";"), Value: ""})
	case !ok || k == "":
		c.skip("header %q is not \"Name: value\"", truncate(v, 40))
	case strings.HasPrefix(k, "@"):
		c.skip("headers from a file (%s) are not imported", k)
	case strings.TrimSpace(val) == "":
		c.p.headers = append(c.p.headers, vault.Header{Name: k, Disabled: true})
	default:
		c.p.headers = append(c.p.headers, vault.Header{Name: k, Value: strings.TrimSpace(val)})
	}
}

// data reads -d, --data-binary, --data-raw and --json: a body part, or
// (with @) a file whose content is the body.
func (c *curlCommand) data(kind, opt, v string) {
	p := &c.p
	if kind != "data-raw" && strings.HasPrefix(v, "@") {
		p.fileData = true
		if v == "@-" {
			c.skip("%s @- reads standard input, which is not part of a saved request; put the body in the request", opt)
			return
		}
		p.dataFiles = append(p.dataFiles, v[1:])
		// curl strips newlines only from a body read with -d @file
		p.stripNewlines = p.stripNewlines || kind == "data"
		p.jsonBody = p.jsonBody || kind == "json"
		return
	}
	p.data = append(p.data, v)
	p.jsonBody = p.jsonBody || kind == "json"
}

// cookie reads -b name=value (a cookie file is not imported).
func (c *curlCommand) cookie(v string) {
	if !strings.Contains(v, "=") {
		c.skip("cookies from a file (%s) are not imported", v)
		return
	}
	c.p.headers = append(c.p.headers, vault.Header{Name: "Cookie", Value: v})
}

// form reads -F and --form-string name=value fields.
func (c *curlCommand) form(kind, opt, v string) {
	c.p.form = true
	f, ok := curlFormField(v, kind == "form-string")
	if !ok {
		c.skip("%s %s is not name=value", opt, truncate(v, 40))
		return
	}
	c.p.formFields = append(c.p.formFields, f)
}

// rangeHeader reads -r as the Range header curl sends.
func (c *curlCommand) rangeHeader(v string) {
	if !strings.Contains(v, "-") {
		v += "-" // curl reads a lone number as "from here to the end"
	}
	c.p.headers = append(c.p.headers, vault.Header{Name: "Range", Value: "bytes=" + v})
}

// urlQuery reads --url-query (one that reads a file is not imported).
func (c *curlCommand) urlQuery(opt, v string) {
	if strings.Contains(v, "@") && !strings.Contains(v, "=") || strings.HasPrefix(v, "@") {
		c.skip("%s %s reads a file, which is not imported", opt, v)
		return
	}
	c.p.urlQuery = append(c.p.urlQuery, curlURLEncode(v))
}

// upload reads -T FILE (standard input is not part of a saved request).
func (c *curlCommand) upload(opt, v string) {
	c.p.upload = true
	if v == "-" || v == "." {
		c.skip("%s %s reads standard input, which is not part of a saved request", opt, v)
		return
	}
	c.p.uploadFile = v
	c.uploads++
}
