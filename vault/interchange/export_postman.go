package interchange

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/authdeck/authdeck/vault"
)

// PostmanEnvironment is a Postman environment file.
type PostmanEnvironment struct {
	ID         string            `json:"id,omitempty"`
	Name       string            `json:"name"`
	Values     []PostmanVariable `json:"values"`
	Scope      string            `json:"_postman_variable_scope,omitempty"`
	ExportedAt string            `json:"_postman_exported_at,omitempty"`
	ExportedBy string            `json:"_postman_exported_using,omitempty"`
}

// PostmanVariable is one variable of a Postman environment or collection.
type PostmanVariable struct {
	Key     string `json:"key"`
	Value   string `json:"value"`
	Type    string `json:"type,omitempty"`
	Enabled *bool  `json:"enabled,omitempty"`
}

// ExportPostmanEnv writes environment env as a Postman environment. Secret
// variables are marked "secret" and their values left empty unless
// withSecrets; only then is the store read. The notes say what was left out.
func ExportPostmanEnv(ctx context.Context, v *vault.Vault, env string, withSecrets bool) ([]byte, []Note, error) {
	c, err := v.Load()
	if err != nil {
		return nil, nil, err
	}
	e, ok := c.Env(env)
	if !ok {
		return nil, nil, &vault.NotFoundError{Kind: "environment", Name: env}
	}
	var secrets map[string]string
	if withSecrets {
		if secrets, err = v.Vars(ctx, env); err != nil {
			return nil, nil, err
		}
	}
	out := PostmanEnvironment{
		ID: e.ID, Name: e.Name, Scope: "environment", ExportedBy: "authdeck",
		ExportedAt: v.Now().UTC().Format(time.RFC3339), Values: []PostmanVariable{},
	}
	var notes []Note
	enabled := true
	for _, x := range e.Variables {
		pv := PostmanVariable{Key: x.Name, Value: x.Value, Type: "default", Enabled: &enabled}
		if x.Secret {
			pv.Type = "secret"
			pv.Value = ""
			if withSecrets {
				pv.Value = secrets[x.Name]
			} else {
				notes = append(notes, Note{Kind: NoteSkipped, Item: fmt.Sprintf("variable %q", x.Name), Msg: "secret value left out (use --with-secrets to include it)"})
			}
		}
		out.Values = append(out.Values, pv)
	}
	if n := len(c.SecretsIn(env)) + len(c.ClientsIn(env)); n > 0 {
		notes = append(notes, Note{Kind: NoteSkipped, Msg: fmt.Sprintf("%d secrets and auth clients are not part of a Postman environment (export them with `authdeck export secrets`)", n)})
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return nil, nil, err
	}
	return append(b, '\n'), notes, nil
}
