package browse

import (
	"context"
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/dialogs"
	"github.com/authdeck/authdeck/vault"
)

// newChooser offers what can be created in the active environment.
func newChooser(c *common.Common) common.Dialog {
	env := c.Env
	edit := func(t vault.SecretType) tea.Cmd {
		return func() tea.Msg { return common.EditMsg{Kind: common.EditSecret, Env: env, Type: t} }
	}
	opts := []dialogs.Option{
		{Label: "Auth client (wizard)", Desc: "from an issuer URL: discovery, grant, client auth, scopes", Cmd: func() tea.Msg { return common.OpenWizardMsg{Env: env} }},
		{Label: "Auth client (form)", Desc: "every field by hand", Cmd: func() tea.Msg { return common.EditMsg{Kind: common.EditClient, Env: env} }},
		{Label: "API key", Desc: "a key or bearer token sent in a header", Cmd: edit(vault.TypeAPIKey)},
		{Label: "Basic", Desc: "username and passphrase", Cmd: edit(vault.TypeSimple)},
		{Label: "OAuth token set", Desc: "access and refresh token of an auth client", Cmd: edit(vault.TypeOAuthToken)},
		{Label: "Session auth", Desc: "input fields of a session-auth client", Cmd: edit(vault.TypeSessionAuth)},
		{Label: "Private key", Desc: "PEM key for private_key_jwt", Cmd: edit(vault.TypePrivateKey)},
		{Label: "Client certificate", Desc: "certificate and key for mutual TLS", Cmd: edit(vault.TypeClientCert)},
		{Label: "OAuth 1.0a token", Desc: "token and token secret", Cmd: edit(vault.TypeOAuth1Token)},
		{Label: "Request", Desc: "a request in the request console", Cmd: func() tea.Msg { return common.OpenRequestMsg{Env: env} }},
		{Label: "Variable", Desc: "a {{name}} for URLs, headers and bodies, plain or secret", Cmd: newVariable(env)},
		{Label: "Environment", Desc: "a new environment (dev, staging, prod…)", Cmd: func() tea.Msg { return common.EditMsg{Kind: common.EditEnvironment} }},
		{Label: "Import a file", Desc: "Postman, curl, .http, OpenAPI, Insomnia, Bruno or secret-service JSON: requests, secrets, auth clients", Cmd: func() tea.Msg { return common.OpenImportMsg{Env: env} }},
	}
	return dialogs.NewChoice(c, "New in "+env, opts)
}

// newDeleteConfirm asks before deleting the selection; "no" is the default.
func newDeleteConfirm(c *common.Common, sel selection) common.Dialog {
	v, timeout := c.Vault, c.StoreTimeout
	title, body, ok := "", "", "Deleted"
	var run func(ctx context.Context, v *vault.Vault) error
	switch {
	case sel.client != nil:
		x := *sel.client
		title = "Delete auth client " + x.Name + "?"
		body = fmt.Sprintf("The client and its stored credentials are removed from %s. Token sets issued through it are kept.", x.Env)
		run = func(ctx context.Context, v *vault.Vault) error { return v.RemoveClient(ctx, x.Env, x.Name) }
	case sel.secret != nil:
		x := *sel.secret
		title = "Delete secret " + x.Name + "?"
		body = fmt.Sprintf("%s %s and its stored value are removed from %s. This cannot be undone.", x.Type.Label(), x.Name, x.Env)
		run = func(ctx context.Context, v *vault.Vault) error { return v.RemoveSecret(ctx, x.Env, x.Name) }
	case sel.request != nil:
		x := *sel.request
		title = "Delete request " + x.Name + "?"
		body = fmt.Sprintf("%s %s is removed from %s.", x.Method, x.URL, x.Env)
		run = func(context.Context, *vault.Vault) error { return v.RemoveRequest(x.Env, x.Name) }
	case sel.variable != nil:
		title, body, ok, run = variableDelete(c, sel.env, *sel.variable)
	}
	d := dialogs.NewConfirm(c, title, body, "Delete", common.ChangeCmd(v, timeout, "delete", ok, run))
	d.Danger = true
	return d
}
