package vault

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

	"github.com/authdeck/authdeck/vault/jsonpos"
)

// HistoryEntry is one sent request and what came back, as kept in the
// history: metadata, masked request headers, and small bodies. It never
// holds a credential value — the sender masks them before an entry is made.
type HistoryEntry struct {
	ID   string    `json:"id"`
	Time time.Time `json:"time"`
	Env  string    `json:"env"`
	// Name is the saved request the entry was sent from, if any.
	Name    string   `json:"name,omitempty"`
	Method  string   `json:"method"`
	URL     string   `json:"url"`
	Headers []Header `json:"headers,omitempty"`
	Body    string   `json:"body,omitempty"`
	// Auth names the credential used (never its value).
	Auth      string    `json:"auth,omitempty"`
	Placement Placement `json:"placement,omitempty"`
	Insecure  bool      `json:"insecure,omitempty"`

	Status          int      `json:"status,omitempty"`
	StatusText      string   `json:"statusText,omitempty"`
	ResponseHeaders []Header `json:"responseHeaders,omitempty"`
	ContentType     string   `json:"contentType,omitempty"`
	ResponseBody    string   `json:"responseBody,omitempty"`
	ResponseSize    int64    `json:"responseSize"`
	// BodyOmitted says the response body was larger than the history keeps.
	BodyOmitted bool `json:"bodyOmitted,omitempty"`
	// Refreshed says the token was refreshed and the request sent again.
	Refreshed bool          `json:"refreshed,omitempty"`
	Timing    HistoryTiming `json:"timing"`
	// Error is why the request failed before a response, if it did.
	Error string `json:"error,omitempty"`
	// Template is the request as written, {{variables}} unexpanded, so it
	// can be sent again; literal values that look secret are masked.
	Template *HistoryTemplate `json:"template,omitempty"`
}

// HistoryTemplate is a request as the user wrote it.
type HistoryTemplate struct {
	URL     string   `json:"url"`
	Headers []Header `json:"headers,omitempty"`
	Body    string   `json:"body,omitempty"`
	// BodyOmitted says the body was larger than the history keeps.
	BodyOmitted bool `json:"bodyOmitted,omitempty"`
}

// HistoryTiming are the timing phases of an entry.
type HistoryTiming struct {
	DNS       Duration `json:"dns,omitempty"`
	Connect   Duration `json:"connect,omitempty"`
	TLS       Duration `json:"tls,omitempty"`
	FirstByte Duration `json:"firstByte,omitempty"`
	Total     Duration `json:"total,omitempty"`
}

// History limits.
const (
	// MaxHistoryEntries is how many entries the history keeps (newest win).
	MaxHistoryEntries = 200
	// MaxHistoryBody is the largest request or response body kept; larger
	// bodies are kept as metadata only.
	MaxHistoryBody = 16 << 10
)

// History keeps sent requests.
type History interface {
	// Add stores e (trimmed to the limits) as the newest entry.
	Add(e HistoryEntry) error
	// List returns the entries, newest first.
	List() ([]HistoryEntry, error)
	// Clear removes every entry.
	Clear() error
}

// trimEntry applies the body limit and gives the entry an ID.
func trimEntry(e HistoryEntry) HistoryEntry {
	if e.ID == "" {
		e.ID = NewID()
	}
	if len(e.ResponseBody) > MaxHistoryBody {
		e.ResponseBody, e.BodyOmitted = "", true
	}
	if len(e.Body) > MaxHistoryBody {
		e.Body = fmt.Sprintf("(%d bytes, not kept)", len(e.Body))
	}
	e.Headers = slices.Clone(e.Headers)
	e.ResponseHeaders = slices.Clone(e.ResponseHeaders)
	if e.Template != nil {
		t := *e.Template
		t.Headers = slices.Clone(t.Headers)
		if len(t.Body) > MaxHistoryBody {
			t.Body, t.BodyOmitted = "", true
		}
		e.Template = &t
	}
	return e
}

// MemoryHistory keeps the history in memory (the demo, tests).
type MemoryHistory struct {
	mu      sync.Mutex
	entries []HistoryEntry
}

// NewMemoryHistory returns an empty in-memory history.
func NewMemoryHistory() *MemoryHistory { return &MemoryHistory{} }

// Add stores e as the newest entry.
func (m *MemoryHistory) Add(e HistoryEntry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.entries = append([]HistoryEntry{trimEntry(e)}, m.entries...)
	if len(m.entries) > MaxHistoryEntries {
		m.entries = m.entries[:MaxHistoryEntries]
	}
	return nil
}

// List returns the entries, newest first.
func (m *MemoryHistory) List() ([]HistoryEntry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.entries), nil
}

// Clear removes every entry.
func (m *MemoryHistory) Clear() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.entries = nil
	return nil
}

// HistoryFileName is the history's file name inside the authdeck home.
const HistoryFileName = "history.json"

// FileHistory keeps the history in one JSON file under the authdeck home:
// 0600 in a 0700 directory, rewritten atomically under a cross-process lock
// (S-32), so concurrent authdeck processes never lose or tear entries.
type FileHistory struct {
	path string
	lock *flock.Flock
	mu   sync.Mutex
}

type historyFile struct {
	Version int            `json:"version"`
	Entries []HistoryEntry `json:"entries"`
}

// OpenHistory returns the history kept in dir (created 0700 if needed).
// Nothing is read until List or Add.
func OpenHistory(dir string) (*FileHistory, error) {
	if err := EnsurePrivateDir(dir); err != nil {
		return nil, err
	}
	return &FileHistory{path: filepath.Join(dir, HistoryFileName), lock: flock.New(filepath.Join(dir, "history.lock"))}, nil
}

// Path returns the history file's path.
func (h *FileHistory) Path() string { return h.path }

func (h *FileHistory) read() ([]HistoryEntry, error) {
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

func (h *FileHistory) update(fn func([]HistoryEntry) []HistoryEntry) error {
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
	return WriteFileAtomic(h.path, append(data, '\n'))
}

// Add stores e as the newest entry, dropping the oldest beyond the limit.
func (h *FileHistory) Add(e HistoryEntry) error {
	e = trimEntry(e)
	return h.update(func(entries []HistoryEntry) []HistoryEntry {
		entries = append([]HistoryEntry{e}, entries...)
		if len(entries) > MaxHistoryEntries {
			entries = entries[:MaxHistoryEntries]
		}
		return entries
	})
}

// List returns the entries, newest first.
func (h *FileHistory) List() ([]HistoryEntry, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.read()
}

// Clear removes every entry.
func (h *FileHistory) Clear() error {
	return h.update(func([]HistoryEntry) []HistoryEntry { return nil })
}
