package workspace

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/authdeck/authdeck/vault"
)

// The personal part of a team workspace stays out of the folder, in the
// authdeck home (home/workspaces/ID/state.json): the active environment,
// preferences, token sets (issued to one person), and when each of the
// folder's secrets last fetched a token. Teammates never see it and it
// never makes a diff.

// overlay is one person's state of a team workspace.
type overlay struct {
	Version int `json:"version"`
	// Folder is where the workspace folder was last opened from.
	Folder    string         `json:"folder,omitempty"`
	ActiveEnv string         `json:"activeEnv,omitempty"`
	Settings  vault.Settings `json:"settings"`
	// Secrets are this person's own secrets: token sets.
	Secrets []vault.Secret `json:"secrets,omitempty"`
	// Runtime holds token metadata of folder secrets, by secret ID.
	Runtime map[string]runtimeFields `json:"runtime,omitempty"`
}

// runtimeFields are the token metadata a secret gets when it is used.
type runtimeFields struct {
	Scope        string     `json:"scope,omitempty"`
	TokenExpires *time.Time `json:"tokenExpires,omitempty"`
	HasRefresh   bool       `json:"hasRefresh,omitempty"`
	LastRefresh  *time.Time `json:"lastRefresh,omitempty"`
}

func (r runtimeFields) zero() bool {
	return r.Scope == "" && r.TokenExpires == nil && !r.HasRefresh && r.LastRefresh == nil
}

func runtimeOf(s vault.Secret) runtimeFields {
	return runtimeFields{Scope: s.Scope, TokenExpires: s.TokenExpires, HasRefresh: s.HasRefresh, LastRefresh: s.LastRefresh}
}

func (r runtimeFields) applyTo(s *vault.Secret) {
	s.Scope, s.TokenExpires, s.HasRefresh, s.LastRefresh = r.Scope, r.TokenExpires, r.HasRefresh, r.LastRefresh
}

const overlayFile = "state.json"

func (w *Workspace) overlayPath() string { return filepath.Join(w.stateDir, overlayFile) }

// readOverlay reads this person's state; none yet is an empty one.
func (w *Workspace) readOverlay() (*overlay, []byte, error) {
	data, err := os.ReadFile(w.overlayPath())
	if errors.Is(err, fs.ErrNotExist) {
		return &overlay{Version: 1}, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	var ov overlay
	if err := decodeStrict(w.overlayPath(), data, &ov); err != nil {
		return nil, nil, err
	}
	return &ov, data, nil
}

// encodeOverlay writes the personal state as it is kept.
func encodeOverlay(ov *overlay) []byte {
	ov.Version = 1
	return encodeJSON(ov)
}

func sameBytes(a, b []byte) bool { return bytes.Equal(a, b) }
