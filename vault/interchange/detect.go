package interchange

import (
	"encoding/json"
	"strings"
)

// OtherFormat names the format of a file given to the wrong importer (a
// Postman environment or collection, a JetBrains or REST Client
// environment file) and the command that imports it; both empty when the
// file is none of those.
func OtherFormat(data []byte) (format, command string) {
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil {
		return "", ""
	}
	_, hasValues := top["values"]
	_, hasItems := top["item"]
	_, hasInfo := top["info"]
	_, scope := top["_postman_variable_scope"]
	switch {
	case hasItems && hasInfo:
		return "a Postman collection", "authdeck import postman FILE"
	case hasValues && (scope || top["name"] != nil):
		return "a Postman environment", "authdeck import postman FILE (it creates the environment, or give --env)"
	}
	if settings, ok := top["rest-client.environmentVariables"]; ok && len(settings) > 0 {
		return "VS Code REST Client settings", "authdeck import http FILE"
	}
	// http-client.env.json: {"dev": {"host": "…", "token": "…"}, "prod": {…}}
	if len(top) == 0 {
		return "", ""
	}
	for name, raw := range top {
		var vars map[string]json.RawMessage
		if strings.HasPrefix(name, "$") || json.Unmarshal(raw, &vars) != nil {
			return "", ""
		}
		for _, v := range vars {
			if t := strings.TrimSpace(string(v)); t == "" || (t[0] == '[') {
				return "", ""
			}
		}
	}
	return "a JetBrains HTTP Client environment file (http-client.env.json)", "authdeck import http FILE"
}
