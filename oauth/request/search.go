package request

import (
	"bytes"
	"context"
	"unicode"
)

// Match is a position in a Lines: line index and byte offset in that line.
type Match struct {
	Line, Col int
}

// Query is a compiled search: smart case — a query without upper-case
// letters matches regardless of ASCII case.
type Query struct {
	needle []byte
	fold   bool
}

// NewQuery compiles q.
func NewQuery(q string) Query {
	fold := true
	for _, r := range q {
		if unicode.IsUpper(r) {
			fold = false
			break
		}
	}
	return Query{needle: []byte(q), fold: fold}
}

// Empty reports whether the query matches nothing (an empty string).
func (q Query) Empty() bool { return len(q.needle) == 0 }

// Index returns the byte offset of the first match in line at or after
// from, or -1. scratch is reused for case folding.
func (q Query) Index(line []byte, from int, scratch *[]byte) int {
	if from < 0 {
		from = 0
	}
	if len(q.needle) == 0 || from > len(line) {
		return -1
	}
	hay := line[from:]
	if !q.fold {
		if i := bytes.Index(hay, q.needle); i >= 0 {
			return from + i
		}
		return -1
	}
	// Fold window by window, so a 10 MB single-line body does not need a
	// 10 MB scratch copy; windows overlap by len(needle)-1.
	step := max(foldWindow, 2*len(q.needle))
	for off := 0; off < len(hay); off += step - len(q.needle) + 1 {
		end := min(len(hay), off+step)
		*scratch = foldASCII((*scratch)[:0], hay[off:end])
		if i := bytes.Index(*scratch, q.needle); i >= 0 {
			return from + off + i
		}
		if end == len(hay) {
			break
		}
	}
	return -1
}

// foldWindow is how many bytes a case-folding search folds at a time.
const foldWindow = 64 << 10

// lastIndex returns the offset of the last match that starts before before, or -1.
func (q Query) lastIndex(line []byte, before int, scratch *[]byte) int {
	if len(q.needle) == 0 {
		return -1
	}
	if before > len(line) {
		before = len(line)
	}
	end := min(len(line), before+len(q.needle)-1)
	if end < 0 {
		return -1
	}
	hay := line[:end]
	if q.fold {
		*scratch = foldASCII((*scratch)[:0], hay)
		hay = *scratch
	}
	i := bytes.LastIndex(hay, q.needle)
	if i >= before {
		return -1
	}
	return i
}

// AppendMatches appends the [start, end) offsets of every non-overlapping
// match in line (for highlighting the visible lines).
func (q Query) AppendMatches(dst [][2]int, line []byte, scratch *[]byte) [][2]int {
	if len(q.needle) == 0 {
		return dst
	}
	hay := line
	if q.fold {
		*scratch = foldASCII((*scratch)[:0], line)
		hay = *scratch
	}
	off := 0
	for {
		i := bytes.Index(hay[off:], q.needle)
		if i < 0 {
			return dst
		}
		dst = append(dst, [2]int{off + i, off + i + len(q.needle)})
		off += i + len(q.needle)
	}
}

func foldASCII(dst, s []byte) []byte {
	dst = append(dst, s...)
	for i, c := range dst {
		if c >= 'A' && c <= 'Z' {
			dst[i] = c + ('a' - 'A')
		}
	}
	return dst
}

// matchIn finds q in the text of the step-th line of a search of n lines
// from column col: on the starting line (step 0) only after col (before it,
// backward); on the starting line reached again after wrapping (step n)
// only the part not searched at first; anywhere on the others. It returns
// the match's column, or -1.
func matchIn(q Query, text []byte, step, n, col int, backward bool, scratch *[]byte) int {
	switch {
	case step == 0 && !backward:
		return q.Index(text, col+1, scratch)
	case step == 0:
		return q.lastIndex(text, col, scratch)
	case backward:
		k := q.lastIndex(text, len(text)+1, scratch)
		if step == n && k < col {
			return -1
		}
		return k
	default:
		k := q.Index(text, 0, scratch)
		if step == n && k > col {
			return -1
		}
		return k
	}
}

// searchCheckEvery is how many lines a search scans between context checks.
const searchCheckEvery = 4096

// Search finds the next match of q in l after position from (forward) or
// before it (backward), wrapping around the end once. Use Match{Line: top,
// Col: -1} to search from the start of a line. It returns false when nothing
// matches and ctx.Err() when cancelled, so a viewer can run it off the UI
// loop and drop stale searches.
func Search(ctx context.Context, l Lines, q Query, from Match, backward bool) (Match, bool, error) {
	n := l.Len()
	if n == 0 || q.Empty() {
		return Match{}, false, nil
	}
	if from.Line < 0 {
		from = Match{Line: 0, Col: -1}
	}
	if from.Line >= n {
		from = Match{Line: n - 1, Col: 1 << 30}
	}
	var buf, scratch []byte
	line := func(i int) []byte {
		if b, ok := l.(*Body); ok {
			return b.lineBytes(i)
		}
		buf = l.AppendLine(buf[:0], i, -1)
		return buf
	}
	for step := 0; step <= n; step++ {
		if step%searchCheckEvery == searchCheckEvery-1 {
			if err := ctx.Err(); err != nil {
				return Match{}, false, err
			}
		}
		i := (from.Line + step) % n
		if backward {
			i = ((from.Line-step)%n + n) % n
		}
		if k := matchIn(q, line(i), step, n, from.Col, backward, &scratch); k >= 0 {
			return Match{Line: i, Col: k}, true, nil
		}
	}
	return Match{}, false, nil
}
