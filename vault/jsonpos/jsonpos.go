// Package jsonpos says where in a JSON document a decoding error is, as a
// 1-based line and column, for error messages that point at the offending
// place of a catalog, an import file or a server response.
package jsonpos

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Describe turns a decoding error of data into "line L, column C: reason";
// an error that carries no position is returned as its text.
func Describe(data []byte, err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		l, c := LineCol(data, syn.Offset-1) // Offset counts the offending byte
		return fmt.Sprintf("line %d, column %d: %v", l, c, syn)
	case errors.As(err, &typ):
		l, c := LineCol(data, typ.Offset-1) // points into the offending value
		field := typ.Field
		if field == "" {
			field = "value"
		}
		return fmt.Sprintf("line %d, column %d: %s should be %s, not %s", l, c, field, typ.Type, typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		l, c := LineCol(data, int64(len(data)))
		return fmt.Sprintf("line %d, column %d: unexpected end of file (truncated?)", l, c)
	}
	return err.Error()
}

// LineCol converts a byte offset into data into a 1-based line and column;
// an offset outside data is clamped to its ends.
func LineCol(data []byte, offset int64) (line, col int) {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	if offset < 0 {
		offset = 0
	}
	line, col = 1, 1
	for _, b := range data[:offset] {
		if b == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}
