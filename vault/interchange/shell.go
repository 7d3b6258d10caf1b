package interchange

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/authdeck/authdeck/vault"
)

// This file splits shell text into commands and words the way a POSIX shell
// reads them (quotes, escapes, line continuations, $'…' strings), for the
// curl importer; expansions are kept as written and reported, never run.

// ShellWordsError reports a command line that cannot be split into words.
type ShellWordsError struct {
	Line, Col int
	Msg       string
}

func (e *ShellWordsError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Col, e.Msg)
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *ShellWordsError) Is(target error) bool { return target == vault.ErrInvalid }

// ShellCommand is one command of a shell text: its words, the line it starts
// on, and the shell features it used that were taken literally.
type ShellCommand struct {
	Words []string
	Line  int
	// Expansions are $VAR, ${VAR}, $(…) and `…` found outside single
	// quotes; they are kept as written, not expanded.
	Expansions []string
	// Piped says the command was followed by a pipe or redirection that was dropped.
	Piped bool
}

// SplitShell splits POSIX shell text into commands and words: spaces and
// tabs separate words; a newline, ';', '&&', '||' or '|' ends a command; a
// backslash before a newline joins lines; single quotes, double quotes
// (with \$ \` \" \\ escapes) and $'…' (ANSI-C escapes) quote; '#' at the
// start of a word comments out the rest of the line. Nothing is expanded.
func SplitShell(text string) ([]ShellCommand, error) {
	s := &shellScanner{src: text, line: 1, col: 1}
	return s.run()
}

type shellScanner struct {
	src       string
	pos       int
	line, col int
	cmds      []ShellCommand
	cur       ShellCommand
	word      strings.Builder
	inWord    bool
	skipRest  bool // after a pipe or redirection, until the command ends
}

func (s *shellScanner) fail(line, col int, format string, args ...any) error {
	return &ShellWordsError{Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

func (s *shellScanner) advance(n int) {
	for i := 0; i < n && s.pos < len(s.src); i++ {
		if s.src[s.pos] == '\n' {
			s.line++
			s.col = 1
		} else if utf8.RuneStart(s.src[s.pos]) {
			s.col++
		}
		s.pos++
	}
}

func (s *shellScanner) endWord() {
	if s.inWord && !s.skipRest {
		s.cur.Words = append(s.cur.Words, s.word.String())
	}
	s.word.Reset()
	s.inWord = false
}

func (s *shellScanner) endCommand() {
	s.endWord()
	if len(s.cur.Words) > 0 {
		s.cmds = append(s.cmds, s.cur)
	}
	s.cur = ShellCommand{Line: s.line}
	s.skipRest = false
}

func (s *shellScanner) expansion(text string) {
	if len(s.cur.Expansions) < 16 {
		s.cur.Expansions = append(s.cur.Expansions, text)
	}
}

// dollar handles '$' outside single quotes: $'…' quoting, or an expansion
// kept literally. It returns false when '$' is just a character.
func (s *shellScanner) dollar(inDouble bool) (bool, error) {
	rest := s.src[s.pos+1:]
	switch {
	case !inDouble && strings.HasPrefix(rest, "'"):
		return true, s.ansiQuote()
	case strings.HasPrefix(rest, "("), strings.HasPrefix(rest, "{"):
		closeC := map[byte]byte{'(': ')', '{': '}'}[rest[0]]
		end := strings.IndexByte(rest, closeC)
		if end < 0 {
			end = len(rest) - 1
		}
		s.keepExpansion("$" + rest[:end+1])
		return true, nil
	case len(rest) > 0 && isShellNameStart(rest[0]):
		n := 1
		for n < len(rest) && (isShellNameStart(rest[n]) || rest[n] >= '0' && rest[n] <= '9') {
			n++
		}
		s.keepExpansion("$" + rest[:n])
		return true, nil
	}
	return false, nil
}

// isShellNameStart reports a byte a shell variable name may start with.
func isShellNameStart(c byte) bool {
	return c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

// keepExpansion notes an expansion at s.pos and keeps it in the word as
// written.
func (s *shellScanner) keepExpansion(text string) {
	s.expansion(text)
	s.word.WriteString(text)
	s.inWord = true
	s.advance(len(text))
}

// ansiQuote reads a $'…' string at s.pos into the word, decoding its
// backslash escapes.
func (s *shellScanner) ansiQuote() error {
	line, col := s.line, s.col
	s.advance(2)
	s.inWord = true
	for {
		if s.pos >= len(s.src) {
			return s.fail(line, col, "$'…' quote is never closed")
		}
		c := s.src[s.pos]
		if c == '\'' {
			s.advance(1)
			return nil
		}
		if c == '\\' && s.pos+1 < len(s.src) {
			s.advance(s.ansiEscape())
			continue
		}
		s.word.WriteByte(c)
		s.advance(1)
	}
}

// ansiEscape decodes the escape at s.pos (a backslash) of a $'…' string into
// the word and returns how many bytes it spans.
func (s *shellScanner) ansiEscape() int {
	src := s.src[s.pos:]
	if len(src) < 2 {
		return 1
	}
	simple := map[byte]string{'n': "\n", 't': "\t", 'r': "\r", '\\': "\\", '\'': "'", '"': "\"", 'a': "\a", 'b': "\b", 'e': "\x1b", 'E': "\x1b", 'f': "\f", 'v': "\v", '?': "?"}
	if v, ok := simple[src[1]]; ok {
		s.word.WriteString(v)
		return 2
	}
	hexRun := func(from, max int) (int, int) {
		n, v := 0, 0
		for n < max && from+n < len(src) {
			d, err := strconv.ParseUint(src[from+n:from+n+1], 16, 8)
			if err != nil {
				break
			}
			v = v*16 + int(d)
			n++
		}
		return n, v
	}
	switch src[1] {
	case 'x':
		if n, v := hexRun(2, 2); n > 0 {
			s.word.WriteByte(byte(v)) //nolint:gosec // G115: two hex digits are at most 0xff
			return 2 + n
		}
	case 'u', 'U':
		max := 4
		if src[1] == 'U' {
			max = 8
		}
		if n, v := hexRun(2, max); n > 0 {
			if v > utf8.MaxRune {
				v = utf8.RuneError
			}
			s.word.WriteRune(rune(v))
			return 2 + n
		}
	case '0', '1', '2', '3', '4', '5', '6', '7':
		n, v := 0, 0
		for n < 3 && 1+n < len(src) && src[1+n] >= '0' && src[1+n] <= '7' {
			v = v*8 + int(src[1+n]-'0')
			n++
		}
		s.word.WriteByte(byte(v))
		return 1 + n
	}
	s.word.WriteString(src[:2])
	return 2
}

func (s *shellScanner) run() ([]ShellCommand, error) {
	s.cur = ShellCommand{Line: 1}
	for s.pos < len(s.src) {
		if err := s.step(s.src[s.pos]); err != nil {
			return nil, err
		}
	}
	s.endCommand()
	return s.cmds, nil
}

// step reads what starts with c, the byte at s.pos, outside quotes.
func (s *shellScanner) step(c byte) error {
	switch {
	case c == '\\':
		s.backslash()
	case c == ' ' || c == '\t' || c == '\r':
		s.endWord()
		s.advance(1)
	case c == '\n':
		s.endCommand()
		s.advance(1)
		s.cur.Line = s.line
	case c == '#' && !s.inWord:
		for s.pos < len(s.src) && s.src[s.pos] != '\n' {
			s.advance(1)
		}
	case c == ';' || c == '&' || c == '|' || ((c == '>' || c == '<') && !s.inWord):
		s.operator(c)
	case c == '\'':
		return s.singleQuoted()
	case c == '"':
		return s.doubleQuoted()
	case c == '$':
		ok, err := s.dollar(false)
		if err != nil {
			return err
		}
		if !ok {
			s.literal(c)
		}
	case c == '`':
		s.noteBackquote()
		s.literal(c)
	default:
		s.literal(c)
	}
	return nil
}

// literal adds c to the word as it is.
func (s *shellScanner) literal(c byte) {
	s.word.WriteByte(c)
	s.inWord = true
	s.advance(1)
}

// backslash reads a backslash outside quotes: a line continuation, or the
// next byte taken as it is.
func (s *shellScanner) backslash() {
	switch {
	case s.pos+1 < len(s.src) && s.src[s.pos+1] == '\n':
		s.advance(2) // line continuation
	case strings.HasPrefix(s.src[s.pos+1:], "\r\n"):
		s.advance(3)
	case s.pos+1 < len(s.src):
		s.word.WriteByte(s.src[s.pos+1])
		s.inWord = true
		s.advance(2)
	default:
		s.advance(1)
	}
}

// operator reads a control operator or redirection: a pipe or redirection
// ends what is imported of the command, '&', ';', '&&' and '||' end it.
func (s *shellScanner) operator(c byte) {
	double := s.pos+1 < len(s.src) && s.src[s.pos+1] == c
	switch {
	case c == '|' && !double, c == '>' || c == '<':
		s.endWord()
		if len(s.cur.Words) > 0 {
			s.cur.Piped = true
		}
		s.skipRest = true
		s.advance(1)
	case c == '&' && !double:
		s.endWord()
		s.advance(1) // a background '&': the command still ends here
		s.endCommand()
	default:
		n := 1
		if double {
			n = 2
		}
		s.advance(n)
		s.endCommand()
	}
}

// singleQuoted reads a single-quoted string into the word as it is.
func (s *shellScanner) singleQuoted() error {
	line, col := s.line, s.col
	end := strings.IndexByte(s.src[s.pos+1:], '\'')
	if end < 0 {
		return s.fail(line, col, "single quote is never closed")
	}
	s.word.WriteString(s.src[s.pos+1 : s.pos+1+end])
	s.inWord = true
	s.advance(end + 2)
	return nil
}

// doubleQuoted reads a double-quoted string into the word: backslash
// escapes of $ ` " \ and newline, and $ expansions noted.
func (s *shellScanner) doubleQuoted() error {
	line, col := s.line, s.col
	s.advance(1)
	s.inWord = true
	for s.pos < len(s.src) {
		closed, err := s.doubleQuotedStep()
		if err != nil {
			return err
		}
		if closed {
			return nil
		}
	}
	return s.fail(line, col, "double quote is never closed")
}

// doubleQuotedStep reads what starts at s.pos inside double quotes; true
// at the closing quote.
func (s *shellScanner) doubleQuotedStep() (bool, error) {
	d := s.src[s.pos]
	if d == '"' {
		s.advance(1)
		return true, nil
	}
	if d == '\\' && s.pos+1 < len(s.src) {
		switch e := s.src[s.pos+1]; e {
		case '$', '`', '"', '\\':
			s.word.WriteByte(e)
			s.advance(2)
			return false, nil
		case '\n':
			s.advance(2)
			return false, nil
		}
	}
	if d == '$' {
		ok, err := s.dollar(true)
		if err != nil || ok {
			return false, err
		}
	}
	if d == '`' {
		s.noteBackquote()
	}
	s.word.WriteByte(d)
	s.advance(1)
	return false, nil
}

// noteBackquote notes the `command` substitution at s.pos (kept as
// written).
func (s *shellScanner) noteBackquote() {
	if end := strings.IndexByte(s.src[s.pos+1:], '`'); end >= 0 {
		s.expansion(s.src[s.pos : s.pos+end+2])
	}
}
