package interchange

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"

	"github.com/authdeck/authdeck/vault/lazyre"
)

// DetectFormat returns the import format of a file from its content, then
// its name (path's extension); empty when neither says. It reads no file.
func DetectFormat(path string, data []byte) Format {
	t := bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	if len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		if f := jsonFormat(t); f != "" {
			return f
		}
	}
	ext := strings.ToLower(filepath.Ext(path))
	switch ext {
	case ".yaml", ".yml":
		return yamlFormat(t)
	case ".http", ".rest":
		return FormatHTTP
	case ".bru":
		return FormatBruno
	}
	if filepath.Base(path) == BrunoCollectionFile {
		return FormatBruno
	}
	return textFormat(t)
}

// jsonFormat classifies a JSON document by its top-level keys.
func jsonFormat(data []byte) Format {
	if data[0] == '[' {
		// secret-service JSON: an array of {"data": {…}} items or bare ones
		return FormatSecretService
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil {
		return brokenJSONFormat(data)
	}
	var item struct {
		Data json.RawMessage `json:"data"`
		Type string          `json:"type"`
		Name string          `json:"name"`
	}
	_ = json.Unmarshal(data, &item)
	if len(item.Data) > 0 && item.Data[0] == '{' {
		// one {"data": {…}} secret-service item
		return FormatSecretService
	}
	if f, _ := OtherFormat(data); f != "" {
		return otherFormatKind(f)
	}
	if item.Type != "" && item.Name != "" {
		// a bare secret-service item
		return FormatSecretService
	}
	return ""
}

// brokenJSONFormat guesses the format of a JSON document with a mistake
// in it from the keys only one format has, so the importer that reads it
// can say where the mistake is.
func brokenJSONFormat(data []byte) Format {
	has := func(s string) bool { return bytes.Contains(data, []byte(s)) }
	switch {
	case has("schema.getpostman.com"), has(`"_postman_`):
		return FormatPostman
	case has(`"__export_format"`):
		return FormatInsomnia
	case has(`"openapi"`) && has(`"paths"`):
		return FormatOpenAPI
	case has(`"data"`):
		// secret-service JSON (trailing commas are allowed there)
		return FormatSecretService
	}
	return ""
}

// otherFormatKind maps OtherFormat's description to its format.
func otherFormatKind(desc string) Format {
	switch {
	case strings.Contains(desc, "Postman"):
		return FormatPostman
	case strings.Contains(desc, "Bruno"):
		return FormatBruno
	case strings.Contains(desc, "Insomnia"):
		return FormatInsomnia
	case strings.Contains(desc, "OpenAPI"):
		return FormatOpenAPI
	case strings.Contains(desc, "REST Client"), strings.Contains(desc, "HTTP Client"):
		return FormatHTTP
	}
	return ""
}

var (
	yamlOpenAPI  = lazyre.New(`(?m)^["']?openapi["']?\s*:`)
	yamlInsomnia = lazyre.New(`(?m)^["']?_type["']?\s*:\s*["']?export\b`)
)

// yamlFormat classifies a YAML document: an OpenAPI document or an
// Insomnia v4 export.
func yamlFormat(data []byte) Format {
	switch {
	case yamlInsomnia.Match(data):
		return FormatInsomnia
	case yamlOpenAPI.Match(data):
		return FormatOpenAPI
	}
	return ""
}

var httpRequestLine = lazyre.New(`(?m)^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|TRACE|CONNECT) +\S`)

// textFormat classifies a text file: curl command lines (a command of
// the shell text is curl) or an .http file (a request line, or ###
// separators).
func textFormat(data []byte) Format {
	if httpRequestLine.Match(data) || bytes.HasPrefix(data, []byte("###")) || bytes.Contains(data, []byte("\n###")) {
		return FormatHTTP
	}
	if hasCurlCommand(string(data)) {
		return FormatCurl
	}
	if yamlInsomnia.Match(data) || yamlOpenAPI.Match(data) {
		return yamlFormat(data)
	}
	return ""
}

// hasCurlCommand reports shell text with a curl command in it ("$ curl"
// as documentation shows it included).
func hasCurlCommand(text string) bool {
	cmds, err := SplitShell(text)
	if err != nil {
		// an unterminated quote: the first word decides
		f := strings.Fields(text)
		return len(f) > 0 && (f[0] == "curl" || len(f) > 1 && f[0] == "$" && f[1] == "curl")
	}
	for _, c := range cmds {
		w := c.Words
		if len(w) > 1 && w[0] == "$" {
			w = w[1:]
		}
		if len(w) > 0 && w[0] == "curl" {
			return true
		}
	}
	return false
}

// isJSONObject reports a document that starts as a JSON object.
func isJSONObject(data []byte) bool {
	t := bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	return len(t) > 0 && t[0] == '{'
}

// isPostmanEnvironment reports a Postman environment file ("values", no "item").
func isPostmanEnvironment(data []byte) bool {
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil {
		return false
	}
	_, values := top["values"]
	_, items := top["item"]
	return values && !items
}
