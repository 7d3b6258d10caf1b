package vault

import "bytes"

// catalogLens counts the items of the catalog's four lists in data with
// one pass that follows only nesting and strings, so the decoder can be
// given lists of their size: decoding thousands of items into a list that
// grows as it goes copies them several times over. A count that is wrong
// (data that is not a catalog) costs room, never correctness: the decoder
// fills the lists by itself.
func catalogLens(data []byte) (envs, clients, secrets, requests int) {
	depth := 0
	var key []byte // the last string at depth 1: a key, when a list follows
	var cur *int   // the count of the list at depth 2, if one of the four
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '"':
			end := stringEnd(data, i+1)
			if end < 0 {
				return envs, clients, secrets, requests
			}
			if depth == 1 {
				key = data[i+1 : end]
			}
			i = end
		case '{', '[':
			depth++
			switch {
			case depth == 2 && c == '[':
				switch string(key) {
				case "environments":
					cur = &envs
				case "clients":
					cur = &clients
				case "secrets":
					cur = &secrets
				case "requests":
					cur = &requests
				}
			case depth == 3 && c == '{' && cur != nil:
				*cur++
			}
		case '}', ']':
			if depth == 2 {
				cur = nil
			}
			depth--
		}
	}
	return envs, clients, secrets, requests
}

// stringEnd returns the index of the quote that ends the JSON string whose
// content starts at from, or -1.
func stringEnd(data []byte, from int) int {
	for j := from; ; {
		k := bytes.IndexByte(data[j:], '"')
		if k < 0 {
			return -1
		}
		j += k
		escaped := false
		for m := j - 1; m >= from && data[m] == '\\'; m-- {
			escaped = !escaped
		}
		if !escaped {
			return j
		}
		j++
	}
}
