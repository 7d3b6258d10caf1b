package workspace

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/authdeck/authdeck/vault"
)

// Meta is the workspace file (authdeck-workspace.json).
type Meta struct {
	// Version is the folder's format version.
	Version int `json:"version"`
	// ID keys every person's values of this workspace in their own vault.
	ID string `json:"id"`
	// Name is how the workspace is shown (the TUI's header).
	Name string `json:"name"`
}

// FormatVersion is the folder format this build reads and writes.
const FormatVersion = 1

// snapshot is the folder as read: its items, where each one's file is, and
// each file's bytes as the canonical encoding of its item, so a change
// rewrites only the files whose items changed.
type snapshot struct {
	meta     Meta
	envs     []vault.Environment
	clients  []vault.AuthClient
	secrets  []vault.Secret
	requests []vault.Request
	members  []Member
	// paths maps an item key (env/ID, client/ID, secret/ID, request/ID)
	// to its file; companions to its shared value's file.
	paths      map[string]string
	companions map[string]string
	// canon holds the canonical encoding of each item as read.
	canon map[string][]byte
	// memberPaths maps member names to their files.
	memberPaths map[string]string
	// scratch lists files left aside by a write that never finished.
	scratch []string
	// orphans lists shared values whose item file is gone.
	orphans []string
}

func envKey(id string) string     { return "env/" + id }
func clientKey(id string) string  { return "client/" + id }
func secretKey(id string) string  { return "secret/" + id }
func requestKey(id string) string { return "request/" + id }

// readMeta reads the workspace file of the folder at root.
func readMeta(root string) (Meta, error) {
	data, err := os.ReadFile(filepath.Join(root, MarkerFile))
	if err != nil {
		return Meta{}, fmt.Errorf("reading the workspace: %w", err)
	}
	return parseMeta(data)
}

// parseMeta reads the workspace file's bytes. A name that
// 'authdeck init --name' would refuse (empty, too long, a control
// character…) is refused here too, naming the file, its line and the
// field: the header and every message show the name, so it is checked, not
// only escaped.
func parseMeta(data []byte) (Meta, error) {
	var m Meta
	if err := decodeStrict(MarkerFile, data, &m); err != nil {
		return Meta{}, err
	}
	switch {
	case m.Version == 0:
		return Meta{}, fileErr(MarkerFile, lineOfField(data, "version"), "no format version")
	case m.Version > FormatVersion:
		return Meta{}, fileErr(MarkerFile, lineOfField(data, "version"), "format version %d; this authdeck reads up to %d — upgrade authdeck", m.Version, FormatVersion)
	case m.ID == "":
		return Meta{}, fileErr(MarkerFile, 0, "no id")
	}
	if err := checkID(MarkerFile, data, m.ID); err != nil {
		return Meta{}, err
	}
	if err := vault.ValidateName("workspace", m.Name); err != nil {
		line := lineOfField(data, "name")
		var ve *vault.ValidationError
		if errors.As(err, &ve) {
			return Meta{}, fileErr(MarkerFile, line, "name %s (fix the workspace's \"name\"; 'authdeck init --name' takes the same names)", ve.Msg)
		}
		return Meta{}, fileErr(MarkerFile, line, "name: %v", err)
	}
	return m, nil
}

// readSnapshot reads the whole folder. A file that does not read is a
// FileError naming it and its line; nothing is changed.
func readSnapshot(root string) (*snapshot, error) {
	s := &snapshot{paths: map[string]string{}, companions: map[string]string{}, canon: map[string][]byte{}, memberPaths: map[string]string{}}
	var err error
	if s.meta, err = readMeta(root); err != nil {
		return nil, err
	}
	if err := s.readTeam(root); err != nil {
		return nil, err
	}
	envs, err := readDir(root, envsDir)
	if err != nil {
		return nil, err
	}
	for _, e := range envs {
		if !e.IsDir() {
			s.noteStray(envsDir, e)
			continue
		}
		if err := s.readEnv(root, e.Name()); err != nil {
			return nil, err
		}
	}
	if err := s.checkUnique(); err != nil {
		return nil, err
	}
	return s, nil
}

// readDir lists a directory of the folder, sorted; a missing one is empty.
func readDir(root, rel string) ([]fs.DirEntry, error) {
	ents, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(rel)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the workspace folder: %w", err)
	}
	return ents, nil
}

func readFile(root, rel string) ([]byte, error) {
	b, err := readWhole(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", rel, err)
	}
	return b, nil
}

// noteStray remembers scratch files; other files the layout does not know
// (a README, an editor's backup) are no part of the workspace.
func (s *snapshot) noteStray(dir string, e fs.DirEntry) {
	if isScratch(e.Name()) {
		s.scratch = append(s.scratch, path.Join(dir, e.Name()))
	}
}

func (s *snapshot) readTeam(root string) error {
	ents, err := readDir(root, teamDir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		base := e.Name()
		if e.IsDir() || !strings.HasSuffix(base, pubExt) || strings.HasPrefix(base, ".") {
			s.noteStray(teamDir, e)
			continue
		}
		rel := path.Join(teamDir, base)
		name, err := decodeName(strings.TrimSuffix(base, pubExt))
		if err != nil {
			return fileErr(rel, 0, "%v", err)
		}
		if err := vault.ValidateName("team member", name); err != nil {
			return fileErr(rel, 0, "%v", err)
		}
		data, err := readFile(root, rel)
		if err != nil {
			return err
		}
		m, err := parseMemberFile(rel, data, name)
		if err != nil {
			return err
		}
		for _, o := range s.members {
			if o.Recipient == m.Recipient || o.Fingerprint == m.Fingerprint {
				return fileErr(rel, 1, "the same key as %s", s.memberPaths[o.Name])
			}
		}
		s.members = append(s.members, m)
		s.memberPaths[name] = rel
	}
	return nil
}

func (s *snapshot) readEnv(root, dirName string) error {
	dir := path.Join(envsDir, dirName)
	env, err := decodeName(dirName)
	if err != nil {
		return fileErr(dir, 0, "%v", err)
	}
	rel := path.Join(dir, envFileName)
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
	if errors.Is(err, fs.ErrNotExist) {
		return fileErr(dir, 0, "has no %s: every environment directory needs one (it may hold just {})", envFileName)
	}
	if err != nil {
		return fmt.Errorf("reading %s: %w", rel, err)
	}
	e, err := decodeEnv(rel, data, env)
	if err != nil {
		return err
	}
	s.add(envKey(e.ID), rel, encodeEnv(e))
	s.envs = append(s.envs, e)
	if err := s.readItems(root, dir, clientsDir, env); err != nil {
		return err
	}
	if err := s.readItems(root, dir, secretsDir, env); err != nil {
		return err
	}
	return s.readRequests(root, path.Join(dir, requestsDir), env, nil)
}

// add records an item's file; a second item with the same key is an error
// left to checkUnique (it names both files).
func (s *snapshot) add(key, rel string, canon []byte) {
	if prev, dup := s.paths[key]; dup {
		s.paths[key+"\x00dup"] = prev + "\x00" + rel
		return
	}
	s.paths[key] = rel
	s.canon[key] = canon
}

// readItems reads the clients or secrets of an environment.
func (s *snapshot) readItems(root, envDir, kind, env string) error {
	dir := path.Join(envDir, kind)
	ents, err := readDir(root, dir)
	if err != nil {
		return err
	}
	shared := map[string]string{}
	for _, e := range ents {
		if b := e.Name(); !e.IsDir() && strings.HasSuffix(b, sharedExt) && !strings.HasPrefix(b, ".") {
			shared[strings.TrimSuffix(b, sharedExt)] = path.Join(dir, b)
		}
	}
	for _, e := range ents {
		base := e.Name()
		if e.IsDir() || !strings.HasSuffix(base, jsonExt) || strings.HasPrefix(base, ".") {
			s.noteStray(dir, e)
			continue
		}
		rel := path.Join(dir, base)
		stem := strings.TrimSuffix(base, jsonExt)
		name, err := decodeName(stem)
		if err != nil {
			return fileErr(rel, 0, "%v", err)
		}
		data, err := readFile(root, rel)
		if err != nil {
			return err
		}
		companion, isShared := shared[stem]
		delete(shared, stem)
		switch kind {
		case clientsDir:
			ac, err := decodeClient(rel, data, env, name)
			if err != nil {
				return err
			}
			ac.Shared = isShared
			if !isShared {
				ac.SharedWith = nil
			}
			key := clientKey(ac.ID)
			s.add(key, rel, encodeClient(ac))
			if isShared {
				if !ac.HasSecret {
					return fileErr(rel, 0, "has a shared value (%s) but says it has no credentials (\"hasSecret\")", path.Base(companion))
				}
				s.companions[key] = companion
			}
			s.clients = append(s.clients, ac)
		case secretsDir:
			sec, err := decodeSecret(rel, data, env, name)
			if err != nil {
				return err
			}
			sec.Shared = isShared
			if !isShared {
				sec.SharedWith = nil
			}
			key := secretKey(sec.ID)
			s.add(key, rel, encodeSecret(sec))
			if isShared {
				s.companions[key] = companion
			}
			s.secrets = append(s.secrets, sec)
		}
	}
	for _, orphan := range shared {
		s.orphans = append(s.orphans, orphan)
	}
	sort.Strings(s.orphans)
	return nil
}

// readRequests reads the requests under dir, folders as directories.
func (s *snapshot) readRequests(root, dir, env string, folder []string) error {
	ents, err := readDir(root, dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		base := e.Name()
		rel := path.Join(dir, base)
		if strings.HasPrefix(base, ".") {
			s.noteStray(dir, e)
			continue
		}
		if e.IsDir() {
			if len(folder) >= vault.MaxFolderDepth {
				return fileErr(rel, 0, "folders are nested deeper than %d levels", vault.MaxFolderDepth)
			}
			name, err := decodeName(base)
			if err != nil {
				return fileErr(rel, 0, "%v", err)
			}
			if err := s.readRequests(root, rel, env, append(append([]string(nil), folder...), name)); err != nil {
				return err
			}
			continue
		}
		if !strings.HasSuffix(base, httpExt) {
			continue
		}
		name, err := decodeName(strings.TrimSuffix(base, httpExt))
		if err != nil {
			return fileErr(rel, 0, "%v", err)
		}
		data, err := readFile(root, rel)
		if err != nil {
			return err
		}
		r, err := decodeRequest(rel, data, env, folder, name)
		if err != nil {
			return err
		}
		s.add(requestKey(r.ID), rel, encodeRequest(r))
		s.requests = append(s.requests, r)
	}
	return nil
}

// checkUnique refuses two files for one item (a file copied by hand keeps
// its ID) and two requests of an environment with one name.
func (s *snapshot) checkUnique() error {
	for k, v := range s.paths {
		if key, ok := strings.CutSuffix(k, "\x00dup"); ok {
			a, b, _ := strings.Cut(v, "\x00")
			kind, id, _ := strings.Cut(key, "/")
			return fileErr(b, 0, "has the same id (%q) as the %s in %s: one was copied from the other; remove the copy's id line and authdeck gives it one of its own", id, kindWord(kind), a)
		}
	}
	seen := map[string]string{}
	for _, r := range s.requests {
		k := r.Env + "\x00" + r.Name
		if prev, dup := seen[k]; dup {
			return fileErr(s.paths[requestKey(r.ID)], 0, "a request named %q is also in %s; request names are unique in an environment, whatever their folder", r.Name, prev)
		}
		seen[k] = s.paths[requestKey(r.ID)]
	}
	return nil
}

func kindWord(kind string) string {
	switch kind {
	case "env":
		return "environment"
	case "client":
		return "auth client"
	}
	return kind
}
