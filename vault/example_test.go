package vault_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/authdeck/authdeck/vault"
)

// A workspace in memory: an environment, an API key whose value the store
// keeps and the catalog never sees, and the resolver saying what a name
// means in the environment.
func ExampleVault() {
	ctx := context.Background()
	v := vault.NewMemory()
	if _, err := v.AddEnv(vault.Environment{Name: "dev"}); err != nil {
		fmt.Println(err)
		return
	}
	key := vault.Secret{Meta: vault.Meta{Name: "github", Env: "dev"}, Type: vault.TypeAPIKey, HeaderName: "X-Api-Key"}
	if _, err := v.PutSecret(ctx, key, &vault.SecretValue{Key: "ghp-example-value"}); err != nil {
		fmt.Println(err)
		return
	}
	cat, err := v.Load()
	if err != nil {
		fmt.Println(err)
		return
	}
	cred, err := vault.Resolve(cat, "dev", "github", vault.ForRequest)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cred.Name, cred.Protocol, cred.Secret.Type)

	s, _ := v.Secret("dev", "github")
	val, err := v.SecretValue(ctx, s)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(val.Key), "characters, from the store")

	_, err = vault.Resolve(cat, "dev", "gitlab", vault.ForRequest)
	var nf *vault.NotFoundError
	fmt.Println(errors.As(err, &nf), errors.Is(err, vault.ErrNotConfigured))
	// Output:
	// github plain secret API_KEY
	// 17 characters, from the store
	// true true
}

// A template is parsed once and rendered with the values of the moment;
// a name without a value is an error that says which.
func ExampleParseTemplate() {
	t, err := vault.ParseTemplate("{{baseUrl}}/users/{{id}}")
	if err != nil {
		fmt.Println(err)
		return
	}
	vars := map[string]string{"baseUrl": "https://api.example.com"}
	lookup := func(name string) (string, bool) { s, ok := vars[name]; return s, ok }
	_, err = t.Render(lookup, false)
	fmt.Println(errors.Is(err, vault.ErrMissingInput))
	vars["id"] = "42"
	s, err := t.Render(lookup, false)
	fmt.Println(s, err)
	// Output:
	// true
	// https://api.example.com/users/42 <nil>
}
