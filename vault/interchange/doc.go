// Package interchange reads and writes other tools' formats for the vault:
// Postman collections and environments, reference secret-service JSON, curl
// command lines and .http files on the way in; curl command lines, Postman
// environments and secret-service JSON on the way out.
//
// Importers are pure: each parses its input into a vault.Batch (the plan of
// environments, auth clients, secrets, requests and variables to create,
// values included) and a report of Notes, without touching a store; the
// caller previews the plan or applies it with vault.Vault.Apply, which
// stores all of it or nothing. ImportSecretService does both for the CLI.
// Values that look secret (see package secretlike) go to the vault as
// secret variables or secrets, never into the catalog.
//
// One file per format: postman.go (with postman_auth.go and postman_env.go),
// secretservice.go (with secretservice_items.go), curl.go (with shell.go),
// http.go; requests.go and secretize.go are what the three request
// importers share; report.go the notes and errors; export_*.go the
// exporters.
package interchange
