package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/authdeck/authdeck/oauth/request"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/history"
	"github.com/authdeck/authdeck/vault/interchange"
	"github.com/authdeck/authdeck/vault/secretlike"
	"github.com/authdeck/authdeck/vault/termsafe"
)

// sendOptions are the output flags shared by `request` and `send`.
type sendOptions struct {
	include   bool
	verbose   bool
	fail      bool
	output    string
	noHistory bool
	noBrowser bool
	timeout   time.Duration
}

// requestOptions are the flags that describe a request on the command line.
type requestOptions struct {
	sendOptions
	auth      string
	headers   []string
	data      string
	insecure  bool
	placement string
	allowHTTP bool
	save      string
}

const requestExitCodes = `Exit codes: 0 a response arrived (whatever its status, unless --fail);
2 no such environment, credential or saved request, or the host is not in
the credential's allowedHosts; 3 a {{variable}} has no value; 4 cancelled;
5 cannot reach the server (connection, DNS, TLS, timeout); 6 the token is
not a bearer token; 7 with --fail, the server answered 4xx or 5xx (the body
is not written); 8 the vault is locked or unavailable.`

func (o *sendOptions) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.BoolVarP(&o.include, "include", "i", false, "write the status line and the response headers before the body")
	f.BoolVarP(&o.verbose, "verbose", "v", false, "show the request sent (credentials masked), timings and redirects on stderr")
	f.BoolVar(&o.fail, "fail", false, "exit with 7 on an HTTP status of 400 or more, without writing the body")
	f.StringVarP(&o.output, "output", "o", "", "write the body to this file (mode 0600) instead of stdout")
	f.BoolVar(&o.noHistory, "no-history", false, "do not record the request in the history")
	f.BoolVar(&o.noBrowser, "no-browser", false, "if a token needs a browser sign-in, print the URL instead of opening it")
	f.DurationVar(&o.timeout, "timeout", request.DefaultTimeout, "give up after this long (the body included)")
}

func newRequestCmd(a *App) *cobra.Command {
	o := &requestOptions{}
	cmd := &cobra.Command{
		Use:   "request METHOD URL",
		Short: "Send an HTTP request with a credential of the vault applied",
		Long: `Send METHOD URL with a credential applied and write the response body to
stdout, like curl. URL, headers and body may use {{variables}} of the
environment (secret variables are read from the vault at send time).

--auth names a secret or an auth client of the environment: an API key
(its header, or its query parameter), basic credentials, an OAuth token set
or an auth client (a token is fetched or refreshed as needed), a session-auth
secret, a client certificate (mutual TLS), or OAuth 1.0a token credentials
(an OA1_TOKEN secret or an OAuth 1.0a auth client: each request is signed,
a form body's fields included). A bearer token — or the OAuth 1.0a
parameters — go in the Authorization header unless --placement says body (a
form field) or query (a warning: tokens in URLs end up in logs). A
credential is only sent to the hosts its allowedHosts allow, never follows
a redirect to another host, and never goes over plain http except to a
loopback address (or with --allow-http).

On 401 with a Bearer invalid_token challenge the token is refreshed once and
the request sent again; on 403 insufficient_scope the scope the server asks
for is printed.

` + requestExitCodes,
		Example: `  authdeck request GET https://api.example.com/me --auth api
  authdeck request POST '{{baseUrl}}/items' --auth api -H 'Content-Type: application/json' -d @item.json
  authdeck request GET https://api.example.com/search?q=x --auth legacy --placement query -i -v
  authdeck request GET https://api.example.com/me --auth api --save me`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runRequest(cmd.Context(), args[0], args[1], o)
		},
	}
	o.addFlags(cmd)
	f := cmd.Flags()
	f.StringVarP(&o.auth, "auth", "a", "", "secret or auth client to apply")
	f.StringArrayVarP(&o.headers, "header", "H", nil, `a header "Name: value" (repeat)`)
	f.StringVarP(&o.data, "data", "d", "", "the request body, @FILE to read it from a file, or @- from stdin")
	f.BoolVarP(&o.insecure, "insecure", "k", false, "turn TLS certificate verification off for this request (shown as a warning)")
	f.StringVar(&o.placement, "placement", "", "where a bearer token goes: header (default), body or query")
	f.BoolVar(&o.allowHTTP, "allow-http", false, "let the credential go over plain http to a host that is not loopback")
	f.StringVar(&o.save, "save", "", "also save the request under this name in the environment")
	_ = cmd.RegisterFlagCompletionFunc("auth", a.completeCatalogNames(false))
	_ = cmd.RegisterFlagCompletionFunc("placement", completeFlagValues("header", "body", "query"))
	return cmd
}

func newSendCmd(a *App) *cobra.Command {
	o := &sendOptions{}
	cmd := &cobra.Command{
		Use:   "send SAVED",
		Short: "Send a saved request",
		Long: `Send the request saved as SAVED in the environment, with its credential
applied, and write the response body to stdout. Everything 'authdeck
request' says about credentials, redirects and refresh holds.

` + requestExitCodes,
		Example: `  authdeck send me
  authdeck send "List users" -i --env staging`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runSend(cmd.Context(), args[0], o)
		},
	}
	o.addFlags(cmd)
	cmd.ValidArgsFunction = func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return a.completeCatalogNames(true)(c, args, toComplete)
	}
	return cmd
}

// runSend sends the request saved as name, as `request` would.
func (a *App) runSend(ctx context.Context, name string, o *sendOptions) error {
	a.readsStore = true
	v, env, saved, err := a.savedRequest(name)
	if err != nil {
		return err
	}
	return a.sendSpec(ctx, v, env, saved.Name, request.SpecFromSaved(saved), o)
}

// maxRequestBody bounds a body read from a file or stdin.
const maxRequestBody = 64 << 20

func (a *App) runRequest(ctx context.Context, method, rawURL string, o *requestOptions) error {
	a.readsStore = true
	v, _, env, err := a.workspace()
	if err != nil {
		return err
	}
	spec := request.Spec{Method: method, URL: rawURL, Auth: o.auth, Placement: vault.Placement(o.placement), Insecure: o.insecure, AllowHTTP: o.allowHTTP}
	for _, h := range o.headers {
		name, value, ok := strings.Cut(h, ":")
		if !ok || strings.TrimSpace(name) == "" {
			return exitWith(exitOther, "-H %q: a header is \"Name: value\"", h)
		}
		spec.Headers = append(spec.Headers, vault.Header{Name: strings.TrimSpace(name), Value: strings.TrimSpace(value)})
		if secretlike.Value(strings.TrimSpace(value)) || strings.EqualFold(strings.TrimSpace(name), "Authorization") {
			fmt.Fprintf(a.IO.Err, "authdeck: warning: header %s on the command line looks like a credential; process arguments are visible to other users — store it as a secret and use --auth\n", strings.TrimSpace(name))
		}
	}
	if o.data != "" {
		switch {
		case strings.HasPrefix(o.data, "@"):
			b, err := a.readFileArg("-d", strings.TrimPrefix(o.data, "@"), maxRequestBody)
			if err != nil {
				return err
			}
			spec.Body = string(b)
		default:
			spec.Body = o.data
		}
	}
	if o.save != "" {
		r := vault.Request{
			Name: o.save, Env: env, Method: strings.ToUpper(method), URL: rawURL, Headers: spec.Headers, Body: spec.Body,
			Auth: o.auth, Placement: spec.Placement, InsecureSkipVerify: o.insecure,
		}
		if _, err := v.PutRequest(r); err != nil {
			return err
		}
		fmt.Fprintf(a.IO.Err, "authdeck: saved as request %q in environment %q\n", o.save, env)
	}
	return a.sendSpec(ctx, v, env, "", spec, &o.sendOptions)
}

// sendSpec sends spec and writes the response as curl would.
func (a *App) sendSpec(ctx context.Context, v *vault.Vault, env, savedName string, spec request.Spec, o *sendOptions) error {
	ui := a.newFlowUI(o.verbose, false)
	sender := a.engineSet(v).Sender
	sender.Callbacks, sender.NoBrowser = ui.callbacks(), o.noBrowser
	defer sender.CloseIdleConnections()
	spec.Timeout = o.timeout
	if o.verbose {
		if p, err := sender.Prepare(ctx, env, spec, false); err == nil {
			fmt.Fprint(a.IO.Err, p.Dump())
		}
	}
	body := &responseSink{a: a, o: o}
	started := a.Now()
	resp, err := sender.Send(ctx, env, spec, request.SendOptions{Sink: body.writer})
	err = body.finish(err)
	hist := a.history(v)
	if o.noHistory {
		hist = nil
	}
	if err != nil {
		if hist != nil {
			if p, perr := sender.Prepare(ctx, env, spec, false); perr == nil {
				_ = hist.Add(request.FailedHistoryEntry(p, env, savedName, spec, started, err))
			}
		}
		return requestFailure(err)
	}
	a.addHistory(hist, resp.HistoryEntry(env, savedName, spec, started))
	if o.verbose {
		a.printResponseDetails(resp)
	}
	a.explainResponse(resp, spec.Auth)
	if body.failed != nil {
		return exitWith(exitRejected, "HTTP %s (--fail)", body.failed.Status)
	}
	return nil
}

// addHistory adds a sent request to the history (nil: none is kept),
// warning when it cannot.
func (a *App) addHistory(hist history.Store, e history.Entry) {
	if hist == nil {
		return
	}
	if err := hist.Add(e); err != nil {
		fmt.Fprintf(a.IO.Err, "authdeck: warning: the history was not updated: %v\n", err)
	}
}

// responseSink says where a response's body goes: stdout (shown, not
// obeyed, on a terminal), the -o file, or nowhere for a --fail error; the
// warnings of the request and, with -i, the response's head go first.
type responseSink struct {
	a *App
	o *sendOptions
	// file is the temporary -o file, renamed over the target by finish.
	file *os.File
	// failed is the response --fail discarded.
	failed *request.Response
}

func (s *responseSink) writer(r *request.Response) io.Writer {
	a, o := s.a, s.o
	for _, w := range r.Request.Warnings {
		fmt.Fprintf(a.IO.Err, "authdeck: warning: %s\n", termsafe.Line(w))
	}
	if o.include {
		// Exact to a pipe; escaped on a terminal, like the body (S-40).
		head := r.HeaderLines()
		if a.IO.OutTTY {
			head = termsafe.Text(head)
		}
		fmt.Fprint(a.IO.Out, head+"\n")
	}
	if o.fail && r.StatusCode >= 400 {
		s.failed = r
		return io.Discard
	}
	if o.output != "" {
		// A temporary file (0600) beside the target, renamed over it once
		// the body is complete: an existing file gets the new mode and
		// never holds half a body (S-32).
		f, err := os.CreateTemp(filepath.Dir(o.output), "."+filepath.Base(o.output)+".tmp-*")
		if err != nil {
			fmt.Fprintf(a.IO.Err, "authdeck: -o: %v; the body is discarded\n", unwrapPathError(err))
			return io.Discard
		}
		s.file = f
		return f
	}
	if a.IO.OutTTY {
		// A terminal interprets escape sequences: a hostile body could
		// retitle it or set the clipboard. Show them, do not obey them.
		return &displayWriter{w: a.IO.Out}
	}
	return a.IO.Out
}

// finish puts a complete -o file in place, or removes it when the send
// (err) or the file failed; it returns the first error.
func (s *responseSink) finish(err error) error {
	if s.file == nil {
		return err
	}
	if cerr := s.file.Close(); cerr != nil && err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(s.file.Name(), s.o.output)
	}
	if err != nil {
		_ = os.Remove(s.file.Name())
	}
	return err
}

// explainResponse says on stderr what the response means for the
// credential: the sender's notes, a refreshed token, a scope the server
// asks for (and the command that gets it), a rejected credential.
func (a *App) explainResponse(resp *request.Response, auth string) {
	for _, n := range resp.Notes {
		fmt.Fprintf(a.IO.Err, "authdeck: note: %s\n", termsafe.Line(n))
	}
	if resp.Refreshed {
		fmt.Fprintf(a.IO.Err, "authdeck: the server rejected the token (invalid_token); it was refreshed and the request sent again\n")
	}
	if scope, ok := resp.InsufficientScope(); ok {
		hint := ""
		if auth != "" {
			hint = fmt.Sprintf("; get a token with it: authdeck token %s --scope %q --force", interchange.ShellQuote(auth), scope)
		}
		fmt.Fprintf(a.IO.Err, "authdeck: the server needs scope %q (403 insufficient_scope)%s\n", scope, hint)
	} else if resp.StatusCode == http.StatusUnauthorized && resp.Challenge != nil && resp.Challenge.Error() != "" {
		fmt.Fprintf(a.IO.Err, "authdeck: the server rejected the credential (401 %s)\n", termsafe.Line(resp.Challenge.Error()))
	} else if p := resp.OAuthProblem; p != nil {
		fmt.Fprintln(a.IO.Err, termsafe.Line(oauth1ProblemLine(resp.StatusCode, p)))
	}
}

// oauth1ProblemLine words an OAuth 1.0a provider's problem report.
func oauth1ProblemLine(status int, p *request.OAuthProblem) string {
	msg := fmt.Sprintf("authdeck: the server rejected the OAuth 1.0a request (%d %s): %s", status, p.Code, p.Reason)
	if p.Advice != "" {
		msg += fmt.Sprintf(" (the server says %q)", p.Advice)
	}
	if p.Hint != "" {
		msg += " — " + p.Hint
	}
	return msg
}

// printResponseDetails writes the response's metadata for -v on stderr.
func (a *App) printResponseDetails(r *request.Response) {
	w := a.IO.Err
	for _, rd := range r.Redirects {
		note := ""
		if rd.Stripped {
			note = " (credential not forwarded)"
		}
		fmt.Fprintf(w, "* redirect %d → %s%s\n", rd.Status, termsafe.Line(rd.To), note)
	}
	fmt.Fprintf(w, "< %s %s\n", r.Proto, r.Status)
	for _, line := range strings.Split(strings.TrimSuffix(r.HeaderLines(), "\n"), "\n")[1:] {
		fmt.Fprintf(w, "< %s\n", termsafe.Line(line))
	}
	if r.TLS != "" {
		fmt.Fprintf(w, "* TLS: %s\n", r.TLS)
	}
	t := r.Timing
	fmt.Fprintf(w, "* %s · DNS %s · connect %s · TLS %s · first byte %s · total %s\n", r.Summary(),
		request.FormatDuration(t.DNS), request.FormatDuration(t.Connect), request.FormatDuration(t.TLS),
		request.FormatDuration(t.FirstByte), request.FormatDuration(t.Total))
}

// requestFailure keeps the error's exit code and says what to do for the common cases.
func requestFailure(err error) error {
	var he *request.HostRefusedError
	if errors.As(err, &he) {
		return exitWith(exitCode(he), "%v (add the host to its allowedHosts if it should go there)", he)
	}
	return oauthFailure(err)
}

// savedRequest opens the workspace and finds the saved request named name
// in its environment.
func (a *App) savedRequest(name string) (*vault.Vault, string, vault.Request, error) {
	v, _, env, err := a.workspace()
	if err != nil {
		return nil, "", vault.Request{}, err
	}
	saved, err := v.SavedRequest(env, name)
	if err != nil {
		c, _ := v.Load()
		return nil, "", vault.Request{}, withSuggestions(err, c, env, name)
	}
	return v, env, saved, nil
}

// history returns where sent requests are recorded: a file under the
// authdeck home, nothing for the memory (demo) vault.
func (a *App) history(v *vault.Vault) history.Store {
	if a.Getenv("AUTHDECK_VAULT") == vault.BackendMemory || (a.Getenv("AUTHDECK_VAULT") == "" && v.Backend() == vault.BackendMemory) {
		return nil
	}
	home := a.home()
	if home == "" {
		return nil
	}
	h, err := history.Open(home)
	if err != nil {
		return nil
	}
	return h
}

// displayWriter writes a body to a terminal with control characters made
// visible (request.AppendDisplay), keeping UTF-8 sequences split across
// writes intact.
type displayWriter struct {
	w       io.Writer
	pending []byte
	buf     []byte
}

func (d *displayWriter) Write(p []byte) (int, error) {
	data := append(d.pending, p...)
	cut := len(data)
	// hold back an incomplete rune at the end for the next write
	for k := 1; k < utf8.UTFMax && k <= len(data); k++ {
		if utf8.RuneStart(data[len(data)-k]) {
			if !utf8.FullRune(data[len(data)-k:]) {
				cut = len(data) - k
			}
			break
		}
	}
	d.pending = append(d.pending[:0:0], data[cut:]...)
	d.buf = d.buf[:0]
	for _, line := range splitKeepNewline(data[:cut]) {
		body := line
		nl := len(body) > 0 && body[len(body)-1] == '\n'
		if nl {
			body = body[:len(body)-1]
		}
		d.buf = request.AppendDisplay(d.buf, body)
		if nl {
			d.buf = append(d.buf, '\n')
		}
	}
	if _, err := d.w.Write(d.buf); err != nil {
		return 0, err
	}
	return len(p), nil
}

func splitKeepNewline(b []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		i := 0
		for i < len(b) && b[i] != '\n' {
			i++
		}
		if i < len(b) {
			i++
		}
		out = append(out, b[:i])
		b = b[i:]
	}
	return out
}

// completeCatalogNames offers the saved requests (requests) or the secrets
// and auth clients of the environment, from the catalog only.
func (a *App) completeCatalogNames(requests bool) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		c, env, ok := a.completionEnv()
		if !ok {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var names []cobra.Completion
		add := func(n string) {
			if strings.HasPrefix(n, toComplete) {
				names = append(names, n)
			}
		}
		if requests {
			for _, r := range c.RequestsIn(env) {
				add(r.Name)
			}
		} else {
			for _, s := range c.SecretsIn(env) {
				add(s.Name)
			}
			for _, x := range c.ClientsIn(env) {
				add(x.Name)
			}
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	}
}
