package workspace

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// maxFileNameBytes is the longest file name the common file systems take.
const maxFileNameBytes = 255

// encodeName turns an item, folder or member name into a file name that
// every common file system keeps as it is: '%', the characters Windows
// forbids (<>:"|?*), a leading '.' (a hidden file, or "." and ".."), a
// trailing '.' or space (which Windows drops) and the first letter of a
// name Windows reserves (CON, NUL, COM1…) are written as %XX. Any other
// character, spaces and non-ASCII letters included, is kept, so file names
// read like the names they hold.
func encodeName(name string) string {
	var b strings.Builder
	reserved := isReservedWindowsName(name)
	for i, r := range name {
		esc := false
		switch {
		case r == '%' || strings.ContainsRune(`<>:"|?*/\`, r) || r < 0x20 || r == 0x7f:
			esc = true
		case i == 0 && (r == '.' || reserved):
			esc = true
		case i+utf8.RuneLen(r) == len(name) && (r == '.' || r == ' '):
			esc = true
		}
		if !esc {
			b.WriteRune(r)
			continue
		}
		var buf [utf8.UTFMax]byte
		n := utf8.EncodeRune(buf[:], r)
		for _, c := range buf[:n] {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// decodeName reverses encodeName; it also accepts names encoded more than
// needed (%41 for A), as a person may write them.
func decodeName(file string) (string, error) {
	if !strings.Contains(file, "%") {
		return file, nil
	}
	var out []byte
	for i := 0; i < len(file); i++ {
		c := file[i]
		if c != '%' {
			out = append(out, c)
			continue
		}
		if i+2 >= len(file) || !isHex(file[i+1]) || !isHex(file[i+2]) {
			return "", fmt.Errorf("%q has a '%%' that is not followed by two hex digits (write %%25 for '%%')", file)
		}
		out = append(out, unhex(file[i+1])<<4|unhex(file[i+2]))
		i += 2
	}
	if !utf8.Valid(out) {
		return "", fmt.Errorf("%q decodes to a name that is not UTF-8", file)
	}
	return string(out), nil
}

// checkFileName says why a name cannot be a file name, if it cannot.
func checkFileName(file string) error {
	if len(file) > maxFileNameBytes {
		return fmt.Errorf("its file name would be %d bytes long; file systems take %d — use a shorter name", len(file), maxFileNameBytes)
	}
	return nil
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// isReservedWindowsName reports names Windows will not create as files,
// with or without an extension (CON, con.json, LPT1…).
func isReservedWindowsName(name string) bool {
	base, _, _ := strings.Cut(name, ".")
	base = strings.ToUpper(strings.TrimRight(base, " "))
	switch base {
	case "CON", "PRN", "AUX", "NUL":
		return true
	}
	if len(base) == 4 && (strings.HasPrefix(base, "COM") || strings.HasPrefix(base, "LPT")) && base[3] >= '0' && base[3] <= '9' {
		return true
	}
	return false
}

// foldPath is the key under which two paths collide on a case-insensitive
// file system (macOS, Windows).
func foldPath(p string) string {
	return strings.ToLower(p)
}
