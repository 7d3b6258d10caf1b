package workspace

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/lazyre"
)

// FileError says what is wrong with a file of the workspace folder and
// where: the file (relative to the folder) and a 1-based line, and column
// when known. A folder with such a file is left exactly as it is.
type FileError struct {
	// Path is the file, relative to the workspace folder.
	Path string
	// Line and Col locate the problem; zero when unknown.
	Line, Col int
	// Msg says what is wrong.
	Msg string
}

func (e *FileError) Error() string {
	switch {
	case e.Line > 0 && e.Col > 0:
		return fmt.Sprintf("%s:%d:%d: %s", e.Path, e.Line, e.Col, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Msg)
}

// Is makes errors.Is(err, vault.ErrCatalogCorrupt) true: the workspace
// cannot be read until the file is fixed.
func (e *FileError) Is(target error) bool { return target == vault.ErrCatalogCorrupt }

// fileErr builds a FileError at line (0 = unknown).
func fileErr(path string, line int, format string, args ...any) *FileError {
	return &FileError{Path: path, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// validationErr places a model validation error in its file, at the line
// of the field it names when the file has one.
func validationErr(path string, data []byte, err error) error {
	var ve *vault.ValidationError
	if !errors.As(err, &ve) {
		return fileErr(path, 0, "%v", err)
	}
	msg := ve.Msg
	if ve.Field != "" {
		msg = ve.Field + ": " + ve.Msg
	}
	return fileErr(path, lineOfField(data, ve.Field), "%s", msg)
}

var indexSuffix = lazyre.New(`\[\d+\]$`)

// lineOfField finds the line of a JSON key named like the last part of a
// model field path ("variables.token" → "token", "headers[2]" → "headers"),
// or 0 when the file has no such key.
func lineOfField(data []byte, field string) int {
	if field == "" {
		return 0
	}
	parts := strings.Split(field, ".")
	for i := len(parts) - 1; i >= 0; i-- {
		k := indexSuffix.ReplaceAllString(parts[i], "")
		if k == "" {
			continue
		}
		if idx := bytes.Index(data, []byte(`"`+k+`"`)); idx >= 0 {
			return bytes.Count(data[:idx], []byte("\n")) + 1
		}
	}
	return 0
}

func asValidation(err error, ve **vault.ValidationError) bool { return errors.As(err, ve) }
