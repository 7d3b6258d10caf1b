package vault

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// How a value is laid out in the keychain. Keychains cap the size of one
// item (Windows 2,560 bytes, macOS about 3 KB once go-keyring has encoded
// it), so a value is base64-encoded and, when too long for one item, split
// into chunk items that a header item names with their count and checksum.
// Every item is plain ASCII so no platform re-encodes it.
//
//	inline value:   adk1:v:<sha256 of value, first 8 bytes, hex>:<base64>
//	chunked header: adk1:h:<slot a|b>:<count>:<size>:<sha256 hex>:<write id>
//	chunk i:        adk1:c:<write id>:<i>:<base64 piece>
//
// The header lives under the key itself; chunk i of slot s lives under
// key + "#" + s + i (with "%" and "#" escaped in the key). A new value is
// written into the slot the current header does not use and the header is
// replaced last, so a write that stops midway leaves the old value readable.
const (
	// PortableChunkSize is an item size every keychain accepts: below the
	// Windows limit of 2,560 bytes and, after go-keyring's base64 on macOS,
	// well below its ~3 KB limit. DefaultChunkSize is this on those platforms.
	PortableChunkSize = 2048
	// minChunkSize is the smallest chunk size accepted (tests use it to
	// exercise chunking with small values); a chunked header needs ~110 bytes.
	minChunkSize = 128
	// maxKeychainValue is the largest value the keychain backend stores.
	maxKeychainValue = 1 << 20
	// maxKeyLen is the longest key (in bytes) the keychain backend accepts.
	maxKeyLen = 512

	itemPrefix   = "adk1:"
	inlineTag    = "v"
	headerTag    = "h"
	chunkTag     = "c"
	inlineSumLen = 16 // hex digits: 8 bytes of SHA-256
	writeIDLen   = 16 // hex digits
)

// chunkHeader is a parsed header item.
type chunkHeader struct {
	inline bool
	// Inline values.
	payload string // base64
	sum     string // inlineSumLen hex digits
	// Chunked values.
	slot   byte // 'a' or 'b'
	count  int
	size   int
	digest string // 64 hex digits
	wid    string // write id, writeIDLen hex digits
}

// chunkPart is a parsed chunk item.
type chunkPart struct {
	wid   string
	index int
	piece string // base64 piece
}

// maxChunks is the most chunks a value can have at a given chunk size.
func maxChunks(chunkSize int) int {
	return (base64.StdEncoding.EncodedLen(maxKeychainValue) + pieceLen(chunkSize) - 1) / pieceLen(chunkSize)
}

// pieceLen is how many base64 characters one chunk item carries.
func pieceLen(chunkSize int) int {
	// "adk1:c:" + wid + ":" + index + ":" — the index has at most 7 digits
	// at the smallest chunk size.
	overhead := len(itemPrefix) + len(chunkTag) + 1 + writeIDLen + 1 + 7 + 1
	return chunkSize - overhead
}

// encodeInline returns the single item holding value, or "" when it does
// not fit in chunkSize bytes.
func encodeInline(value []byte, chunkSize int) string {
	sum := sha256.Sum256(value)
	n := len(itemPrefix) + len(inlineTag) + 1 + inlineSumLen + 1 + base64.StdEncoding.EncodedLen(len(value))
	if n > chunkSize {
		return ""
	}
	return itemPrefix + inlineTag + ":" + hex.EncodeToString(sum[:inlineSumLen/2]) + ":" + base64.StdEncoding.EncodeToString(value)
}

// encodeChunks splits value into chunk items for slot and returns them with
// the header item that names them.
func encodeChunks(value []byte, chunkSize int, slot byte) (header string, chunks []string) {
	wid := newWriteID()
	b64 := base64.StdEncoding.EncodeToString(value)
	step := pieceLen(chunkSize)
	for i := 0; i*step < len(b64); i++ {
		end := min((i+1)*step, len(b64))
		chunks = append(chunks, itemPrefix+chunkTag+":"+wid+":"+strconv.Itoa(i)+":"+b64[i*step:end])
	}
	sum := sha256.Sum256(value)
	header = fmt.Sprintf("%s%s:%c:%d:%d:%s:%s", itemPrefix, headerTag, slot, len(chunks), len(value), hex.EncodeToString(sum[:]), wid)
	return header, chunks
}

func newWriteID() string {
	var b [writeIDLen / 2]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}

// errBadItem says a keychain item is not in authdeck's format.
var errBadItem = errors.New("not an authdeck keychain item")

// parseHeader parses the item stored under a key. Every field is checked so
// a damaged item is reported, never misread.
func parseHeader(s string) (chunkHeader, error) {
	var h chunkHeader
	rest, ok := strings.CutPrefix(s, itemPrefix)
	if !ok {
		return h, fmt.Errorf("%w: missing %q prefix", errBadItem, itemPrefix)
	}
	tag, rest, _ := strings.Cut(rest, ":")
	switch tag {
	case inlineTag:
		sum, payload, ok := strings.Cut(rest, ":")
		if !ok || !isHex(sum, inlineSumLen) {
			return h, fmt.Errorf("%w: bad inline checksum", errBadItem)
		}
		return chunkHeader{inline: true, sum: sum, payload: payload}, nil
	case headerTag:
		f := strings.Split(rest, ":")
		if len(f) != 5 {
			return h, fmt.Errorf("%w: header has %d fields, want 5", errBadItem, len(f))
		}
		if f[0] != "a" && f[0] != "b" {
			return h, fmt.Errorf("%w: bad slot %q", errBadItem, f[0])
		}
		count, err := parseCount(f[1], maxChunks(minChunkSize))
		if err != nil || count == 0 {
			return h, fmt.Errorf("%w: bad chunk count %q", errBadItem, f[1])
		}
		size, err := parseCount(f[2], maxKeychainValue)
		if err != nil {
			return h, fmt.Errorf("%w: bad size %q", errBadItem, f[2])
		}
		if !isHex(f[3], 64) {
			return h, fmt.Errorf("%w: bad checksum", errBadItem)
		}
		if !isHex(f[4], writeIDLen) {
			return h, fmt.Errorf("%w: bad write id", errBadItem)
		}
		return chunkHeader{slot: f[0][0], count: count, size: size, digest: f[3], wid: f[4]}, nil
	}
	return h, fmt.Errorf("%w: unknown item kind %q", errBadItem, tag)
}

// parseChunk parses a chunk item.
func parseChunk(s string) (chunkPart, error) {
	var p chunkPart
	rest, ok := strings.CutPrefix(s, itemPrefix+chunkTag+":")
	if !ok {
		return p, fmt.Errorf("%w: not a chunk", errBadItem)
	}
	f := strings.SplitN(rest, ":", 3)
	if len(f) != 3 || !isHex(f[0], writeIDLen) {
		return p, fmt.Errorf("%w: bad chunk", errBadItem)
	}
	idx, err := parseCount(f[1], maxChunks(minChunkSize))
	if err != nil {
		return p, fmt.Errorf("%w: bad chunk index %q", errBadItem, f[1])
	}
	return chunkPart{wid: f[0], index: idx, piece: f[2]}, nil
}

// decodeInline checks and decodes an inline header.
func decodeInline(h chunkHeader) ([]byte, error) {
	v, err := base64.StdEncoding.DecodeString(h.payload)
	if err != nil {
		return nil, fmt.Errorf("%w: inline value is not base64", errBadItem)
	}
	sum := sha256.Sum256(v)
	if hex.EncodeToString(sum[:inlineSumLen/2]) != h.sum {
		return nil, errors.New("inline value fails its checksum")
	}
	return v, nil
}

// joinChunks reassembles a chunked value and checks size and checksum.
func joinChunks(h chunkHeader, pieces []string) ([]byte, error) {
	v, err := base64.StdEncoding.DecodeString(strings.Join(pieces, ""))
	if err != nil {
		return nil, errors.New("chunks do not form a base64 value")
	}
	if len(v) != h.size {
		return nil, fmt.Errorf("chunks hold %d bytes, header says %d", len(v), h.size)
	}
	sum := sha256.Sum256(v)
	if hex.EncodeToString(sum[:]) != h.digest {
		return nil, errors.New("value fails its checksum")
	}
	return v, nil
}

// parseCount parses a decimal count in [0, max] with no sign or leading zeros.
func parseCount(s string, max int) (int, error) {
	if s == "" || len(s) > 9 || (len(s) > 1 && s[0] == '0') {
		return 0, errors.New("bad number")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, errors.New("bad number")
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n > max {
		return 0, errors.New("bad number")
	}
	return n, nil
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// keychainUser is the keychain account name of a key's header item.
// Escaping "%" and "#" keeps header names and chunk names apart for every key.
func keychainUser(key string) string {
	if !strings.ContainsAny(key, "%#") {
		return key
	}
	return strings.NewReplacer("%", "%25", "#", "%23").Replace(key)
}

// chunkUser is the keychain account name of chunk i of slot.
func chunkUser(key string, slot byte, i int) string {
	return keychainUser(key) + "#" + string(slot) + strconv.Itoa(i)
}

// checkKey rejects keys no keychain can hold faithfully.
func checkKey(key string) error {
	switch {
	case key == "":
		return fmt.Errorf("%w: empty key", ErrInvalid)
	case len(key) > maxKeyLen:
		return fmt.Errorf("%w: key is longer than %d bytes", ErrInvalid, maxKeyLen)
	case !utf8.ValidString(key):
		return fmt.Errorf("%w: key is not valid UTF-8", ErrInvalid)
	}
	for _, r := range key {
		if unicode.IsControl(r) {
			return fmt.Errorf("%w: key contains the control character %U", ErrInvalid, r)
		}
	}
	return nil
}

func otherSlot(s byte) byte {
	if s == 'a' {
		return 'b'
	}
	return 'a'
}
