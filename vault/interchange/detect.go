package interchange

import (
	"encoding/json"
	"strings"
)

// OtherFormat names the format of a file given to the wrong importer (a
// Postman environment or collection, a JetBrains or REST Client
// environment file, a Bruno collection's bruno.json, an Insomnia v4
// export, an OpenAPI document in JSON) and the command that imports it;
// both empty when the file is none of those.
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
	var kind struct {
		Type   string `json:"type"`
		Type4  string `json:"_type"`
		Format int    `json:"__export_format"`
	}
	_ = json.Unmarshal(data, &kind)
	_, hasOpenAPI := top["openapi"]
	switch {
	case kind.Type == "collection" && top["version"] != nil:
		return "a Bruno collection's bruno.json", "authdeck import bruno DIR (the collection's folder)"
	case kind.Type4 == "export" && kind.Format == 4:
		return "an Insomnia v4 export", "authdeck import insomnia FILE"
	case hasOpenAPI && top["paths"] != nil:
		return "an OpenAPI document", "authdeck import openapi FILE"
	}
	if settings, ok := top["rest-client.environmentVariables"]; ok && len(settings) > 0 {
		return "VS Code REST Client settings", "authdeck import http FILE"
	}
	// http-client.env.json: {"dev": {"host": "…", "token": "…"}, "prod": {…}},
	// with "$shared" values for every environment (Visual Studio, REST Client).
	if len(top) == 0 {
		return "", ""
	}
	for name, raw := range top {
		var vars map[string]json.RawMessage
		if (strings.HasPrefix(name, "$") && name != "$shared") || json.Unmarshal(raw, &vars) != nil {
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
