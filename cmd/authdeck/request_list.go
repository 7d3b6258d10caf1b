package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/reqtree"
	"github.com/authdeck/authdeck/vault/termsafe"
)

// This file holds `request list` (the saved requests as a tree of folders),
// `request show NAME`, and the nearest-name suggestions given when a saved
// request is not found.

// requestNode is one folder of the request tree, for --json.
type requestNode struct {
	Name     string          `json:"name,omitempty"`
	Folders  []*requestNode  `json:"folders,omitempty"`
	Requests []requestJSONv1 `json:"requests,omitempty"`
}

// requestJSONv1 is a saved request as `request list --json` prints it.
type requestJSONv1 struct {
	Name   string   `json:"name"`
	Method string   `json:"method"`
	URL    string   `json:"url"`
	Folder []string `json:"folder,omitempty"`
	Auth   string   `json:"auth,omitempty"`
	Scheme string   `json:"scheme,omitempty"`
}

// requestTree is the vault's tree of the requests (reqtree.Of) in
// the form --json prints.
func requestTree(reqs []vault.Request) *requestNode {
	return requestNodeOf(reqtree.Of(reqs))
}

func requestNodeOf(f *reqtree.Folder) *requestNode {
	n := &requestNode{Name: f.Name}
	for _, r := range f.Requests {
		j := requestJSONv1{Name: r.Name, Method: r.Method, URL: r.URL, Folder: r.Folder, Auth: r.Auth}
		if r.Scheme != nil {
			j.Scheme = r.Scheme.Type
		}
		n.Requests = append(n.Requests, j)
	}
	for _, c := range f.Folders {
		n.Folders = append(n.Folders, requestNodeOf(c))
	}
	return n
}

func (n *requestNode) print(a *App, w io.Writer, depth int) {
	indent := strings.Repeat("  ", depth)
	for _, r := range n.Requests {
		fmt.Fprintf(w, "%s%-7s %s  %s\n", indent, r.Method, termsafe.Line(r.Name), a.paint(sgrDim, termsafe.Line(r.URL)))
	}
	for _, f := range n.Folders {
		fmt.Fprintf(w, "%s%s/\n", indent, a.paint(sgrBold, termsafe.Line(f.Name)))
		f.print(a, w, depth+1)
	}
}

// requestListOptions are the inputs of `request list`.
type requestListOptions struct {
	App    *App
	IO     IOStreams
	AsJSON bool
}

func newRequestListCmd(a *App) *cobra.Command {
	opts := &requestListOptions{App: a, IO: a.IO}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the saved requests of the environment as a tree of folders",
		Long: `List the saved requests of the environment, filed under their folders (as
imported from a Postman collection, or as saved). Reads the catalog only.`,
		Example: "  authdeck request list\n  authdeck request list --json",
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, _ []string) error { return runRequestList(cmd.Context(), opts) },
	}
	cmd.Flags().BoolVar(&opts.AsJSON, "json", false, "print the tree as JSON")
	return cmd
}

// runRequestList prints the environment's saved requests as a tree of folders.
func runRequestList(_ context.Context, opts *requestListOptions) error {
	a := opts.App
	_, c, env, err := a.workspace()
	if err != nil {
		return err
	}
	reqs := c.RequestsIn(env)
	tree := requestTree(reqs)
	if opts.AsJSON {
		return writeJSON(opts.IO.Out, tree)
	}
	if len(reqs) == 0 {
		fmt.Fprintf(opts.IO.Out, "No saved requests in environment %q. Import some with 'authdeck import' or save one with 'authdeck request --save'.\n", env)
		return nil
	}
	tree.print(a, opts.IO.Out, 0)
	return nil
}

// requestShowOptions are the inputs of `request show`.
type requestShowOptions struct {
	App *App
	IO  IOStreams
	// Name is the saved request's name.
	Name   string
	AsJSON bool
}

func newRequestShowCmd(a *App) *cobra.Command {
	opts := &requestShowOptions{App: a, IO: a.IO}
	cmd := &cobra.Command{
		Use:   "show NAME",
		Short: "Show a saved request as it is kept (variables not filled in)",
		Long: `Show a saved request: method, URL, folder, headers (disabled ones marked),
query parameters, body or form, and the credential or scheme it uses. Values
are shown as saved: {{variables}} are not filled in and no secret is read.`,
		Example:           "  authdeck request show \"List users\"\n  authdeck request show \"List users\" --json",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: a.completeCatalogNames(true),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			return runRequestShow(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.AsJSON, "json", false, "print JSON")
	return cmd
}

// runRequestShow prints a saved request as it is kept: its summary, then
// its headers, query parameters and body.
func runRequestShow(_ context.Context, opts *requestShowOptions) error {
	a := opts.App
	_, env, r, err := a.savedRequest(opts.Name)
	if err != nil {
		return err
	}
	if opts.AsJSON {
		return writeJSON(opts.IO.Out, r)
	}
	w := opts.IO.Out
	savedRequestKV(r, env).render(a, w)
	printRequestParts(w, r)
	printRequestBody(w, r)
	return nil
}

// savedRequestKV is the summary of a saved request: what it calls, where it
// is filed, and the credential or scheme it uses.
func savedRequestKV(r vault.Request, env string) *kv {
	k := &kv{}
	k.add("Name", termsafe.Line(r.Name))
	k.add("Environment", env)
	if len(r.Folder) > 0 {
		k.add("Folder", termsafe.Line(vault.FolderPath(r.Folder)))
	}
	k.add("Request", r.Method+" "+termsafe.Line(r.URL))
	if r.Auth != "" {
		k.add("Auth", r.Auth)
	}
	if s := r.Scheme; s != nil {
		detail := s.Type + " (user " + s.Username + ")"
		if s.Type == vault.SchemeAWSv4 {
			detail = fmt.Sprintf("awsv4 (access key %s, %s in %s)", s.AccessKey, s.Service, s.Region)
		}
		k.add("Scheme", termsafe.Line(detail))
	}
	if r.InsecureSkipVerify {
		k.add("TLS", "verification off")
	}
	if r.Description != "" {
		k.add("Description", r.Description)
	}
	return k
}

// disabledMark marks a disabled header, parameter or form field.
func disabledMark(disabled bool) string {
	if disabled {
		return "  (disabled)"
	}
	return ""
}

// printRequestParts prints a saved request's headers and query parameters.
func printRequestParts(w io.Writer, r vault.Request) {
	for _, h := range r.Headers {
		fmt.Fprintf(w, "  %s: %s%s\n", termsafe.Line(h.Name), termsafe.Line(h.Value), disabledMark(h.Disabled))
	}
	for _, q := range r.Params {
		fmt.Fprintf(w, "  query %s=%s%s\n", termsafe.Line(q.Name), termsafe.Line(q.Value), disabledMark(q.Disabled))
	}
}

// printRequestBody prints a saved request's form, body file or body.
func printRequestBody(w io.Writer, r vault.Request) {
	switch {
	case len(r.Form) > 0:
		fmt.Fprintln(w, "Form (multipart/form-data):")
		for _, f := range r.Form {
			v := f.Value
			if f.IsFile {
				v = "@" + f.File + " (read when sent)"
			}
			fmt.Fprintf(w, "  %s=%s%s\n", termsafe.Line(f.Name), termsafe.Line(v), disabledMark(f.Disabled))
		}
	case r.BodyFile != "" && r.StripLineBreaks:
		fmt.Fprintf(w, "Body: the content of %s without its line breaks, as curl -d @file sends it (read when sent)\n", termsafe.Line(r.BodyFile))
	case r.BodyFile != "":
		fmt.Fprintf(w, "Body: the content of %s (read when sent)\n", termsafe.Line(r.BodyFile))
	case r.Body != "":
		fmt.Fprintln(w, "Body:")
		for _, line := range strings.Split(r.Body, "\n") {
			fmt.Fprintln(w, "  "+termsafe.Line(line))
		}
	}
}

// nearestNames returns up to three names closest to want: those that
// contain it (or it them), then by edit distance, ignoring case.
func nearestNames(want string, names []string) []string {
	type scored struct {
		name  string
		score int
	}
	w := strings.ToLower(want)
	var list []scored
	for _, n := range names {
		l := strings.ToLower(n)
		d := editDistance(w, l)
		if strings.Contains(l, w) || strings.Contains(w, l) {
			d = min(d, 1)
		}
		if d <= max(2, len([]rune(w))/3) {
			list = append(list, scored{n, d})
		}
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].score < list[j].score })
	var out []string
	for _, s := range list {
		if len(out) == 3 {
			break
		}
		out = append(out, s.name)
	}
	return out
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// withSuggestions adds "did you mean" to a saved request that is not found.
func withSuggestions(err error, c *vault.Catalog, env, name string) error {
	var nf *vault.NotFoundError
	if !errors.As(err, &nf) || c == nil {
		return err
	}
	var names []string
	for _, r := range c.RequestsIn(env) {
		names = append(names, r.Name)
	}
	near := nearestNames(name, names)
	if len(near) == 0 {
		return err
	}
	quoted := make([]string, len(near))
	for i, n := range near {
		quoted[i] = fmt.Sprintf("%q", termsafe.Line(n))
	}
	return &suggestError{err: err, hint: "did you mean " + strings.Join(quoted, " or ") + "? ('authdeck request list' lists them)"}
}

// suggestError is a not-found error with a hint; it keeps the error's class
// (and so its exit code).
type suggestError struct {
	err  error
	hint string
}

func (e *suggestError) Error() string { return e.err.Error() + "; " + e.hint }
func (e *suggestError) Unwrap() error { return e.err }

// sanitizeLine shows text from outside on one line of the terminal, its
// controls escaped (S-40).
func sanitizeLine(s string) string { return termsafe.Line(s) }
