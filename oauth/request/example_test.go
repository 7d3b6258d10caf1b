package request_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/authdeck/authdeck/oauth/request"
	"github.com/authdeck/authdeck/vault"
)

// exampleVault is a workspace with the environment dev: a baseUrl variable
// and an API key that goes in the X-Api-Key header.
func exampleVault(baseURL string) (*vault.Vault, error) {
	ctx := context.Background()
	v := vault.NewMemory()
	if _, err := v.AddEnv(vault.Environment{Name: "dev"}); err != nil {
		return nil, err
	}
	if err := v.SetVar(ctx, "dev", "baseUrl", baseURL, false); err != nil {
		return nil, err
	}
	key := vault.Secret{Meta: vault.Meta{Name: "gh", Env: "dev"}, Type: vault.TypeAPIKey, HeaderName: "X-Api-Key"}
	_, err := v.PutSecret(ctx, key, &vault.SecretValue{Key: "example-key-0123456789"})
	return v, err
}

// Prepare shows a request as it would be sent: variables filled in, the
// credential applied and masked.
func ExampleSender_Prepare() {
	v, err := exampleVault("https://api.example.com")
	if err != nil {
		fmt.Println(err)
		return
	}
	s := &request.Sender{Vault: v}
	p, err := s.Prepare(context.Background(), "dev", request.Spec{Method: "GET", URL: "{{baseUrl}}/user", Auth: "gh"}, false)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Method, p.URL)
	fmt.Println(p.Credential)
	for _, h := range p.Headers {
		if h.Name == "X-Api-Key" {
			fmt.Println(h.Name, "masked:", h.Value != "example-key-0123456789")
		}
	}
	// Output:
	// GET https://api.example.com/user
	// API key "gh" in header X-Api-Key
	// X-Api-Key masked: true
}

// Send sends the request with the real value; the response it returns
// describes the request as sent, masked.
func ExampleSender_Send() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Api-Key") != "example-key-0123456789" {
			http.Error(w, "who are you?", http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, `{"login": "octocat"}`)
	}))
	defer srv.Close()
	v, err := exampleVault(srv.URL)
	if err != nil {
		fmt.Println(err)
		return
	}
	s := &request.Sender{Vault: v}
	resp, err := s.Send(context.Background(), "dev", request.Spec{Method: "GET", URL: "{{baseUrl}}/user", Auth: "gh"}, request.SendOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.StatusCode, string(resp.Body.Bytes()))
	fmt.Println(resp.Request.Revealed)
	// Output:
	// 200 {"login": "octocat"}
	// false
}
