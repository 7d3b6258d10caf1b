package common

import "github.com/authdeck/authdeck/vault"

// The messages below ask the root model to open a screen. Screens send them
// instead of importing each other, so the root model is the only router.

// OpenTokenMsg opens the token pane of an OAuth token set secret.
type OpenTokenMsg struct {
	Env    string
	Secret string
}

// RunFlowMsg opens the flow pane and runs an auth client's grant (or Grant,
// when set, e.g. the device flow instead of authorization code). For an
// OAuth 1.0a client it runs the three-legged flow.
type RunFlowMsg struct {
	Env    string
	Client string
	Grant  vault.Grant
	// Secret names the OA1_TOKEN secret an OAuth 1.0a flow stores into;
	// empty means the client's own token secret.
	Secret string
	// Force fetches a new token even when a valid one is stored.
	Force bool
}

// EditKind says what a form edits.
type EditKind int

// Edit kinds.
const (
	EditSecret EditKind = iota
	EditClient
	EditEnvironment
	// EditVariable adds a variable to Env (Name empty), sets the value of
	// the secret variable Name, or edits the plain one's value.
	EditVariable
)

// EditMsg opens a create or edit form. For a new secret, Type picks the
// secret type; for an edit, Name names the item in Env.
type EditMsg struct {
	Kind EditKind
	Env  string
	Name string
	Type vault.SecretType
	// Value opens the form that sets only this person's value of the item
	// (a secret's value, an auth client's credentials, a secret variable),
	// its value field focused: nothing else of the item changes, so a team
	// workspace's folder is left as it is.
	Value bool
}

// OpenWizardMsg opens the new auth client wizard.
type OpenWizardMsg struct{ Env string }

// OpenImportMsg opens the import screen (Postman, curl, .http, OpenAPI,
// Insomnia, Bruno or secret-service JSON) for Env.
type OpenImportMsg struct{ Env string }

// OpenRequestMsg opens a saved request in the request console, or a new
// one when Name is empty; Auth names the credential a new one starts with
// ("send a request with this token").
type OpenRequestMsg struct {
	Env  string
	Name string
	Auth string
}

// TokenSetGoneMsg says a stored token set was revoked or deleted, so panes
// still holding its tokens (a flow's result) stop offering them.
type TokenSetGoneMsg struct {
	Env    string
	Secret string
	// Why is "revoked" or "deleted".
	Why string
}
