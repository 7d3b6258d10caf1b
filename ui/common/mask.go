package common

import (
	"maps"
	"slices"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/mask"
)

// Masked renders a secret value as its kind, length and at most its last
// four characters (S-30); the rest of the value never reaches a View.
func Masked(kind, value string) string {
	return mask.Value(kind, value).String()
}

// MaskedText is Masked without the kind: "••••••••3f9a (40 chars)".
func MaskedText(value string) string {
	return mask.Value("", value).Text()
}

// SecretFields lists the secret fields of a value in display order, as
// label/value pairs, for detail panes. Empty fields are left out. A private
// key is listed as its algorithm and key id, never as its PEM (S-26), so
// revealing it shows nothing that could sign.
func SecretFields(t vault.SecretType, v vault.SecretValue) []Field {
	ti, ok := t.Info()
	if !ok {
		return nil
	}
	var out []Field
	for _, f := range ti.Fields {
		value := f.Get(v)
		switch {
		case value == "":
		case f.PrivateKey:
			out = append(out, keyFields(f.Label, value)...)
		default:
			out = append(out, Field{Label: f.Label, Value: value, Secret: f.Secret})
		}
	}
	if ti.InputFields {
		for _, k := range sortedKeys(v.InputFields) {
			if value := v.InputFields[k]; value != "" {
				out = append(out, Field{Label: "field " + k, Value: value, Secret: true})
			}
		}
	}
	return out
}

// ClientSecretFields lists an auth client's stored credentials as fields;
// like SecretFields, a private key appears as its algorithm and key id only.
func ClientSecretFields(c vault.ClientCredentials) []Field {
	var out []Field
	if c.ClientSecret != "" {
		out = append(out, Field{Label: "client secret", Value: c.ClientSecret, Secret: true})
	}
	if c.PrivateKey != "" {
		out = append(out, keyFields("private key", c.PrivateKey)...)
	}
	if c.Cert != "" {
		out = append(out, Field{Label: "certificate", Value: c.Cert})
	}
	if c.CertKey != "" {
		out = append(out, keyFields("certificate key", c.CertKey)...)
	}
	return out
}

// Field is one labelled value of a detail pane.
type Field struct {
	Label  string
	Value  string
	Secret bool
}

func sortedKeys(m map[string]string) []string {
	return slices.Sorted(maps.Keys(m))
}
