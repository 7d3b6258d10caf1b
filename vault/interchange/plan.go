package interchange

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/authdeck/authdeck/vault"
)

// This file holds what `authdeck import` and the TUI's import screen share:
// the formats, the environment an import goes to, the parse into a plan
// (nothing stored), the report of the plan and its all-or-nothing apply.

// Format is an import format: one of `authdeck import`'s, or the reference
// secret-service JSON of `authdeck secret import`.
type Format string

// Import formats.
const (
	FormatPostman       Format = "postman"
	FormatCurl          Format = "curl"
	FormatHTTP          Format = "http"
	FormatOpenAPI       Format = "openapi"
	FormatInsomnia      Format = "insomnia"
	FormatBruno         Format = "bruno"
	FormatSecretService Format = "secret-service"
)

// Formats lists every import format, in the order a chooser shows them.
var Formats = []Format{FormatPostman, FormatCurl, FormatHTTP, FormatOpenAPI, FormatInsomnia, FormatBruno, FormatSecretService}

// Label names the format for people.
func (f Format) Label() string {
	switch f {
	case FormatPostman:
		return "Postman collection or environment"
	case FormatCurl:
		return "curl command lines"
	case FormatHTTP:
		return ".http file (JetBrains, REST Client) or its environment file"
	case FormatOpenAPI:
		return "OpenAPI 3.0/3.1 document"
	case FormatInsomnia:
		return "Insomnia v4 export"
	case FormatBruno:
		return "Bruno collection (folder) or .bru file"
	case FormatSecretService:
		return "secret-service JSON (secrets and auth clients)"
	}
	return string(f)
}

// MaxImportFile bounds the file an import reads.
const MaxImportFile = 10 << 20

// ImportInput says what to import and where to.
type ImportInput struct {
	Format Format
	// Path is the file read (a Bruno collection's bruno.json, see
	// ImportFile), or "-" for standard input.
	Path string
	// Data is the content of Path.
	Data []byte
	// Env is the environment the user chose; empty lets the file decide
	// (see ImportEnv), else the active one.
	Env string
	// Active returns the active environment; it is asked only when the
	// import goes there.
	Active func() (string, error)
	// Name names a request that has none of its own (a curl command line).
	Name string
	// BaseDir is the folder the relative paths of a curl command's files
	// are read from when sent (where the command would run).
	BaseDir string
	// AuthMethod is secret-service JSON's client authentication for the
	// OAuth clients of the file (the format has no such field).
	AuthMethod vault.AuthMethod
}

// ImportPlan is a parsed import: what it creates, nothing stored yet.
type ImportPlan struct {
	Format Format
	// Source names the file in the report ("stdin" for standard input).
	Source string
	// Env is the environment the report names: the chosen one, else the
	// one the file creates.
	Env   string
	Batch vault.Batch
	Notes []Note
}

// RefusedError is an import refused before or while it was stored:
// nothing was stored.
type RefusedError struct {
	Source string
	Err    error
}

// Error says that nothing was imported, and why.
func (e *RefusedError) Error() string {
	return fmt.Sprintf("%s: nothing was imported: %v", e.Source, e.Err)
}

// Unwrap returns the cause (an *ImportError lists the problems).
func (e *RefusedError) Unwrap() error { return e.Err }

// ImportFile returns the file an import of path in format reads: a Bruno
// collection is a folder, whose bruno.json is read. Standard input ("-")
// is read as it is.
func ImportFile(format Format, path string) string {
	if format != FormatBruno || path == "-" {
		return path
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return filepath.Join(path, BrunoCollectionFile)
	}
	return path
}

// ReadImportFile reads the file at path for an import, at most
// MaxImportFile bytes, and returns it with its format: format when set,
// else the one its content (or its name) says. A folder is a Bruno
// collection. The file read is returned too (a folder's bruno.json).
func ReadImportFile(path string, format Format) (Format, string, []byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return format, path, nil, err
	}
	if st.IsDir() {
		if format != "" && format != FormatBruno {
			return format, path, nil, fmt.Errorf("%s is a folder: only a Bruno collection is imported from a folder; name a %s file", path, format)
		}
		format, path = FormatBruno, filepath.Join(path, BrunoCollectionFile)
	}
	f, err := os.Open(path)
	if err != nil {
		return format, path, nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxImportFile+1))
	if err != nil {
		return format, path, nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(data) > MaxImportFile {
		return format, path, nil, fmt.Errorf("%s is larger than %d MiB", path, MaxImportFile>>20)
	}
	if format == "" {
		format = DetectFormat(path, data)
	}
	if format == "" {
		return format, path, data, fmt.Errorf("%s: the format is not recognised; choose it (Postman, curl, .http, OpenAPI, Insomnia, Bruno or secret-service JSON)", path)
	}
	return format, path, data, nil
}

// ImportEnv picks the environment an import goes to, and returns the
// environments an .http file's environment files beside it define.
//
// A Postman environment file creates an environment of its own name
// unless one was chosen; an .http environment file creates its own
// environments; an .http file with environment files beside it goes to
// the active environment if they define it, else to their first one
// (created if missing); everything else goes to the active environment.
func ImportEnv(in ImportInput) (string, []string, error) {
	env := in.Env
	isHTTP := in.Format == FormatHTTP
	var fileEnvs []string
	if isHTTP && in.Path != "-" {
		fileEnvs = HTTPEnvNames(in.Path)
	}
	switch {
	case env != "":
	case in.Format == FormatPostman && isPostmanEnvironment(in.Data):
	case isHTTP && isJSONObject(in.Data):
	case len(fileEnvs) > 0:
		if active, err := activeEnv(in); err == nil && slices.Contains(fileEnvs, active) {
			env = active
		}
	default:
		var err error
		if env, err = activeEnv(in); err != nil {
			return "", nil, err
		}
	}
	return env, fileEnvs, nil
}

func activeEnv(in ImportInput) (string, error) {
	if in.Active == nil {
		return "", &vault.ValidationError{Kind: "import", Field: "env", Msg: "is required"}
	}
	return in.Active()
}

// requestParser returns the parser of a request format.
func requestParser(f Format) (func([]byte, RequestImportOptions) (vault.Batch, []Note, error), bool) {
	switch f {
	case FormatPostman:
		return ParsePostman, true
	case FormatCurl:
		return ParseCurl, true
	case FormatHTTP:
		return ParseHTTPFile, true
	case FormatOpenAPI:
		return ParseOpenAPI, true
	case FormatInsomnia:
		return ParseInsomnia, true
	case FormatBruno:
		return ParseBruno, true
	case FormatSecretService:
	}
	return nil, false
}

// PlanImport parses in against the catalog c (and the values of the
// target environment's secret variables in v, so a value found again
// reuses its variable). Nothing is stored. A file the parser refuses
// returns a *RefusedError wrapping the *ImportError that lists its
// problems with their line and column.
func PlanImport(ctx context.Context, v *vault.Vault, c *vault.Catalog, in ImportInput) (*ImportPlan, error) {
	source := in.Path
	if source == "-" || source == "" {
		source = "stdin"
	}
	if in.Format == FormatSecretService {
		return planSecretService(c, in, source)
	}
	parse, ok := requestParser(in.Format)
	if !ok {
		return nil, fmt.Errorf("unknown import format %q (postman, curl, http, openapi, insomnia, bruno or secret-service)", in.Format)
	}
	env, fileEnvs, err := ImportEnv(in)
	if err != nil {
		return nil, err
	}
	if env != "" && !slices.Contains(fileEnvs, env) {
		if _, ok := c.Env(env); !ok {
			return nil, &vault.NotFoundError{Kind: "environment", Name: env}
		}
	}
	opts, err := requestOptions(ctx, v, c, env, in)
	if err != nil {
		return nil, err
	}
	b, notes, err := parse(in.Data, opts)
	if err != nil {
		return nil, &RefusedError{Source: source, Err: err}
	}
	return &ImportPlan{Format: in.Format, Source: source, Env: importTarget(env, b), Batch: b, Notes: notes}, nil
}

func planSecretService(c *vault.Catalog, in ImportInput, source string) (*ImportPlan, error) {
	env := in.Env
	if env == "" {
		var err error
		if env, err = activeEnv(in); err != nil {
			return nil, err
		}
	}
	b, notes, err := ParseSecretService(in.Data, SecretServiceOptions{Env: env, AuthMethod: in.AuthMethod, Catalog: c})
	if err != nil {
		return nil, &RefusedError{Source: source, Err: err}
	}
	return &ImportPlan{Format: in.Format, Source: source, Env: env, Batch: b, Notes: notes}, nil
}

// requestOptions are the parser's options: the environment, the folder a
// curl command's files are read from, the file's path, and the values of
// env's secret variables.
func requestOptions(ctx context.Context, v *vault.Vault, c *vault.Catalog, env string, in ImportInput) (RequestImportOptions, error) {
	opts := RequestImportOptions{Env: env, Catalog: c, Name: in.Name, BaseDir: in.BaseDir}
	if in.Path != "-" {
		opts.Path = in.Path
	}
	if e, ok := c.Env(env); ok && e.HasSecretVars() && v != nil {
		var err error
		if opts.Values, err = v.Vars(ctx, env); err != nil {
			return opts, err
		}
	}
	return opts, nil
}

// importTarget is the environment the report names: the chosen one, else
// the one the file created.
func importTarget(env string, b vault.Batch) string {
	if env == "" && len(b.Requests) > 0 {
		env = b.Requests[0].Env
	}
	if env == "" && len(b.Envs) > 0 {
		env = b.Envs[0].Name
	}
	return env
}

// Apply stores the plan all at once; on any error nothing is stored and a
// *RefusedError says so. It returns the catalog after the import.
func (p *ImportPlan) Apply(ctx context.Context, v *vault.Vault) (*vault.Catalog, error) {
	if p.Batch.Empty() {
		return v.Load()
	}
	c, err := v.Apply(ctx, p.Batch)
	if err != nil {
		return nil, &RefusedError{Source: p.Source, Err: err}
	}
	return c, nil
}

// Summary is the report's first line: how many of each kind of item the
// plan imports, from where and into which environment ("Would import …"
// when preview is set).
func (p *ImportPlan) Summary(preview bool) string {
	b := p.Batch
	verb := "Imported"
	if preview {
		verb = "Would import"
	}
	secretVars, plainVars := 0, 0
	for _, vars := range b.SecretVars {
		secretVars += len(vars)
	}
	for _, vars := range b.Vars {
		plainVars += len(vars)
	}
	return fmt.Sprintf("%s from %s into environment %q: %s, %s, %s, %s, %s.", verb, p.Source, p.Env,
		count(len(b.Requests), "request"), count(plainVars, "variable"), count(secretVars, "secret variable"),
		count(len(b.Secrets), "secret"), count(len(b.Clients), "auth client"))
}

func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// ReportSection is a titled group of an import report's notes.
type ReportSection struct {
	Kind  NoteKind
	Title string
	Lines []string
}

// ReportSections groups notes as the import report shows them: created,
// to the vault (named by backendLabel, values never shown), skipped and
// warnings. Empty sections are left out.
func ReportSections(notes []Note, backendLabel string) []ReportSection {
	all := []ReportSection{
		{Kind: NoteCreated, Title: "Created:"},
		{Kind: NoteStored, Title: "To the " + backendLabel + " vault (values are not shown):"},
		{Kind: NoteSkipped, Title: "Skipped:"},
		{Kind: NoteWarning, Title: "Warnings:"},
	}
	var out []ReportSection
	for _, s := range all {
		for _, n := range notes {
			if n.Kind == s.Kind {
				s.Lines = append(s.Lines, n.String())
			}
		}
		if len(s.Lines) > 0 {
			out = append(out, s)
		}
	}
	return out
}

// Problems returns the problems of a refused import, or nil when err is
// not an import's list of problems.
func Problems(err error) []ImportProblem {
	var ie *ImportError
	if errors.As(err, &ie) {
		return ie.Problems
	}
	return nil
}
