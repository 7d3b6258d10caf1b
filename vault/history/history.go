// Package history keeps the request console's history: each request sent
// and what came back, masked, in memory or in a file beside the catalog.
package history

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/gofrs/flock"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/jsonpos"
)

// Entry is one sent request and what came back, as kept in the
// history: metadata, masked request headers, and small bodies. It never
// holds a credential value — the sender masks them before an entry is made.
type Entry struct {
	ID   string    `json:"id"`
	Time time.Time `json:"time"`
	Env  string    `json:"env"`
	// Name is the saved request the entry was sent from, if any.
	Name    string         `json:"name,omitempty"`
	Method  string         `json:"method"`
	URL     string         `json:"url"`
	Headers []vault.Header `json:"headers,omitempty"`
	Body    string         `json:"body,omitempty"`
	// Auth names the credential used (never its value).
	Auth      string          `json:"auth,omitempty"`
	Placement vault.Placement `json:"placement,omitempty"`
	Insecure  bool            `json:"insecure,omitempty"`

	Status          int            `json:"status,omitempty"`
	StatusText      string         `json:"statusText,omitempty"`
	ResponseHeaders []vault.Header `json:"responseHeaders,omitempty"`
	ContentType     string         `json:"contentType,omitempty"`
	ResponseBody    string         `json:"responseBody,omitempty"`
	ResponseSize    int64          `json:"responseSize"`
	// BodyOmitted says the response body was larger than the history keeps.
	BodyOmitted bool `json:"bodyOmitted,omitempty"`
	// Refreshed says the token was refreshed and the request sent again.
	Refreshed bool   `json:"refreshed,omitempty"`
	Timing    Timing `json:"timing"`
	// Error is why the request failed before a response, if it did.
	Error string `json:"error,omitempty"`
	// Template is the request as written, {{variables}} unexpanded, so it
	// can be sent again; literal values that look secret are masked.
	Template *Template `json:"template,omitempty"`
}

// Template is a request as the user wrote it.
type Template struct {
	URL     string         `json:"url"`
	Headers []vault.Header `json:"headers,omitempty"`
	Body    string         `json:"body,omitempty"`
	// BodyOmitted says the body was larger than the history keeps.
	BodyOmitted bool `json:"bodyOmitted,omitempty"`
	// Params, Form, BodyFile and StripLineBreaks are the request's parts
	// of those names (see vault.Request), disabled rows included; a file
	// part keeps its path, never the file's content.
	Params          []vault.QueryParam `json:"params,omitempty"`
	Form            []vault.FormField  `json:"form,omitempty"`
	BodyFile        string             `json:"bodyFile,omitempty"`
	StripLineBreaks bool               `json:"stripLineBreaks,omitempty"`
}

// Timing are the timing phases of an entry.
type Timing struct {
	DNS       vault.Duration `json:"dns,omitempty"`
	Connect   vault.Duration `json:"connect,omitempty"`
	TLS       vault.Duration `json:"tls,omitempty"`
	FirstByte vault.Duration `json:"firstByte,omitempty"`
	Total     vault.Duration `json:"total,omitempty"`
}

// History limits.
const (
	// MaxEntries is how many entries the history keeps (newest win).
	MaxEntries = 200
	// MaxBody is the largest request or response body kept; larger
	// bodies are kept as metadata only.
	MaxBody = 16 << 10
)

// Store keeps sent requests.
type Store interface {
	// Add stores e (trimmed to the limits) as the newest entry.
	Add(e Entry) error
	// List returns the entries, newest first.
	List() ([]Entry, error)
	// Clear removes every entry.
	Clear() error
}

// trimEntry applies the body limit and gives the entry an ID.
func trimEntry(e Entry) Entry {
	if e.ID == "" {
		e.ID = vault.NewID()
	}
	if len(e.ResponseBody) > MaxBody {
		e.ResponseBody, e.BodyOmitted = "", true
	}
	if len(e.Body) > MaxBody {
		e.Body = fmt.Sprintf("(%d bytes, not kept)", len(e.Body))
	}
	e.Headers = slices.Clone(e.Headers)
	e.ResponseHeaders = slices.Clone(e.ResponseHeaders)
	if e.Template != nil {
		t := *e.Template
		t.Headers = slices.Clone(t.Headers)
		t.Params, t.Form = slices.Clone(t.Params), slices.Clone(t.Form)
		if len(t.Body) > MaxBody {
			t.Body, t.BodyOmitted = "", true
		}
		e.Template = &t
	}
	return e
}

// Memory keeps the history in memory (the demo, tests).
type Memory struct {
	mu      sync.Mutex
	entries []Entry
}

// NewMemory returns an empty in-memory history.
func NewMemory() *Memory { return &Memory{} }

// Add stores e as the newest entry.
func (m *Memory) Add(e Entry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.entries = append([]Entry{trimEntry(e)}, m.entries...)
	if len(m.entries) > MaxEntries {
		m.entries = m.entries[:MaxEntries]
	}
	return nil
}

// List returns the entries, newest first.
func (m *Memory) List() ([]Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.entries), nil
}

// Clear removes every entry.
func (m *Memory) Clear() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.entries = nil
	return nil
}

// FileName is the history's file name inside the authdeck home.
const FileName = "history.json"

// File keeps the history in one JSON file under the authdeck home:
// 0600 in a 0700 directory, rewritten atomically under a cross-process lock
// (S-32), so concurrent authdeck processes never lose or tear entries.
type File struct {
	path string
	lock *flock.Flock
	mu   sync.Mutex
}

type historyFile struct {
	Version int     `json:"version"`
	Entries []Entry `json:"entries"`
}

// Open returns the history kept in dir (created 0700 if needed).
// Nothing is read until List or Add.
func Open(dir string) (*File, error) {
	if err := vault.EnsurePrivateDir(dir); err != nil {
		return nil, err
	}
	return &File{path: filepath.Join(dir, FileName), lock: flock.New(filepath.Join(dir, "history.lock"))}, nil
}

// Path returns the history file's path.
func (h *File) Path() string { return h.path }

func (h *File) read() ([]Entry, error) {
	data, err := os.ReadFile(h.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading history: %w", err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	var f historyFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("history %s is corrupt: %s; move it away to start a new history", h.path, jsonpos.Describe(data, err))
	}
	if f.Version > 1 {
		return nil, fmt.Errorf("history %s has version %d; this authdeck reads version 1", h.path, f.Version)
	}
	return f.Entries, nil
}

func (h *File) update(fn func([]Entry) []Entry) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.lock.Lock(); err != nil {
		return fmt.Errorf("locking history: %w", err)
	}
	defer func() { _ = h.lock.Unlock() }()
	entries, err := h.read()
	if err != nil {
		return err
	}
	entries = fn(entries)
	data, err := json.Marshal(historyFile{Version: 1, Entries: entries})
	if err != nil {
		return err
	}
	return vault.WriteFileAtomic(h.path, append(data, '\n'))
}

// Add stores e as the newest entry, dropping the oldest beyond the limit.
func (h *File) Add(e Entry) error {
	e = trimEntry(e)
	return h.update(func(entries []Entry) []Entry {
		entries = append([]Entry{e}, entries...)
		if len(entries) > MaxEntries {
			entries = entries[:MaxEntries]
		}
		return entries
	})
}

// List returns the entries, newest first.
func (h *File) List() ([]Entry, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.read()
}

// Clear removes every entry.
func (h *File) Clear() error {
	return h.update(func([]Entry) []Entry { return nil })
}
