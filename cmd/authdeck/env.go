package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/mask"
)

func newEnvCmd(a *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "env",
		Short: "Manage environments (dev, staging, prod) and their variables",
		Long: `An environment is a named context holding variables, secrets and auth clients.
Commands work in the active environment unless --env or $AUTHDECK_ENV names another.`,
		Example: `  authdeck env add staging --tenant acme --description "staging cluster"
  authdeck env use staging
  authdeck env set baseUrl https://api.staging.example.com
  printf %s "$TOKEN" | authdeck env set apiToken --secret --value-stdin
  authdeck env show --json`,
		Args: cobra.NoArgs,
	}
	return cmd
}

// envJSON is the stable JSON form of an environment in lists.
type envJSON struct {
	Name        string    `json:"name"`
	Active      bool      `json:"active"`
	Tenant      string    `json:"tenant,omitempty"`
	Description string    `json:"description,omitempty"`
	Variables   int       `json:"variables"`
	Clients     int       `json:"clients"`
	Secrets     int       `json:"secrets"`
	Requests    int       `json:"requests"`
	Created     time.Time `json:"created"`
	Updated     time.Time `json:"updated"`
}

// envListOptions are the inputs of `env list`.
type envListOptions struct {
	App    *App
	IO     IOStreams
	AsJSON bool
}

func newEnvListCmd(a *App, runF func(context.Context, *envListOptions) error) *cobra.Command {
	opts := &envListOptions{App: a, IO: a.IO}
	if runF == nil {
		runF = runEnvList
	}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List environments (the active one is marked *)",
		Example: "  authdeck env list\n  authdeck env list --json",
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, _ []string) error { return runF(cmd.Context(), opts) },
	}
	cmd.Flags().BoolVar(&opts.AsJSON, "json", false, "print JSON")
	return cmd
}

// envSummary is an environment as lists show it.
func envSummary(c *vault.Catalog, e vault.Environment, active string) envJSON {
	return envJSON{
		Name: e.Name, Active: e.Name == active, Tenant: e.Tenant, Description: e.Description,
		Variables: len(e.Variables), Clients: len(c.ClientsIn(e.Name)), Secrets: len(c.SecretsIn(e.Name)),
		Requests: len(c.RequestsIn(e.Name)), Created: e.Created, Updated: e.Updated,
	}
}

// runEnvList lists the environments, the active one marked.
func runEnvList(_ context.Context, opts *envListOptions) error {
	a := opts.App
	_, c, err := a.catalog()
	if err != nil {
		return err
	}
	active, _ := a.Env(c)
	out := make([]envJSON, 0, len(c.Environments))
	for _, e := range c.Environments {
		out = append(out, envSummary(c, e, active))
	}
	if opts.AsJSON {
		return writeJSON(opts.IO.Out, out)
	}
	t := &table{header: []string{"", "NAME", "TENANT", "VARS", "CLIENTS", "SECRETS", "DESCRIPTION"}}
	for _, e := range out {
		mark, name := cell{}, cell{text: e.Name}
		if e.Active {
			mark, name = cell{text: "*", color: sgrGreen}, cell{text: e.Name, color: sgrGreen}
		}
		t.add(mark, name, cell{text: e.Tenant}, cell{text: fmt.Sprint(e.Variables)}, cell{text: fmt.Sprint(e.Clients)},
			cell{text: fmt.Sprint(e.Secrets)}, cell{text: e.Description})
	}
	t.render(a, opts.IO.Out)
	return nil
}

// envAddOptions are the inputs of `env add`.
type envAddOptions struct {
	App                       *App
	IO                        IOStreams
	Name, Tenant, Description string
	Use                       bool
}

func newEnvAddCmd(a *App, runF func(context.Context, *envAddOptions) error) *cobra.Command {
	opts := &envAddOptions{App: a, IO: a.IO}
	if runF == nil {
		runF = runEnvAdd
	}
	cmd := &cobra.Command{
		Use:     "add NAME",
		Short:   "Create an environment",
		Example: "  authdeck env add prod --tenant acme --description \"production\" --use",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			return runF(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Tenant, "tenant", "", "tenant label")
	cmd.Flags().StringVar(&opts.Description, "description", "", "free text")
	cmd.Flags().BoolVar(&opts.Use, "use", false, "make it the active environment")
	return cmd
}

// runEnvAdd creates an environment and, with Use, makes it the active one.
func runEnvAdd(_ context.Context, opts *envAddOptions) error {
	v, err := opts.App.Vault()
	if err != nil {
		return err
	}
	e, err := v.AddEnv(vault.Environment{Name: opts.Name, Tenant: opts.Tenant, Description: opts.Description})
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.Out, "Created environment %q.\n", e.Name)
	if opts.Use {
		if err := v.UseEnv(e.Name); err != nil {
			return err
		}
		fmt.Fprintf(opts.IO.Out, "Active environment: %s\n", e.Name)
	}
	return nil
}

// envNameOptions are the inputs of the verbs that take only a name: `env
// use`, `env unset`.
type envNameOptions struct {
	App  *App
	IO   IOStreams
	Name string
}

func newEnvUseCmd(a *App, runF func(context.Context, *envNameOptions) error) *cobra.Command {
	opts := &envNameOptions{App: a, IO: a.IO}
	if runF == nil {
		runF = runEnvUse
	}
	return &cobra.Command{
		Use:               "use NAME",
		Short:             "Make an environment the active one",
		Example:           "  authdeck env use staging",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: a.completeNames(completeEnvs),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			return runF(cmd.Context(), opts)
		},
	}
}

// runEnvUse makes an environment the active one, noting an $AUTHDECK_ENV
// that still overrides it.
func runEnvUse(_ context.Context, opts *envNameOptions) error {
	a := opts.App
	v, err := a.Vault()
	if err != nil {
		return err
	}
	if err := v.UseEnv(opts.Name); err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.Out, "Active environment: %s\n", opts.Name)
	if e := a.Getenv("AUTHDECK_ENV"); e != "" && e != opts.Name {
		fmt.Fprintf(opts.IO.Err, "note: AUTHDECK_ENV=%s still overrides it in this shell\n", e)
	}
	return nil
}

// envRmOptions are the inputs of `env rm`.
type envRmOptions struct {
	App  *App
	IO   IOStreams
	Name string
	Yes  bool
}

func newEnvRmCmd(a *App, runF func(context.Context, *envRmOptions) error) *cobra.Command {
	opts := &envRmOptions{App: a, IO: a.IO}
	if runF == nil {
		runF = runEnvRm
	}
	cmd := &cobra.Command{
		Use:     "rm NAME",
		Aliases: []string{"remove"},
		Short:   "Remove an environment with its variables, auth clients, secrets and requests",
		Long: `Remove an environment and everything in it, stored values included.
An environment that holds anything asks for confirmation on a terminal; in
scripts pass --yes.`,
		Example:           "  authdeck env rm staging\n  authdeck env rm staging --yes",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: a.completeNames(completeEnvs),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			return runF(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "remove without asking, even when it is not empty")
	return cmd
}

// runEnvRm removes an environment and all it holds, after a confirmation
// when it holds anything (or with Yes); the only environment stays.
func runEnvRm(ctx context.Context, opts *envRmOptions) error {
	a, name := opts.App, opts.Name
	v, c, err := a.catalog()
	if err != nil {
		return err
	}
	e, ok := c.Env(name)
	if !ok {
		return &vault.NotFoundError{Kind: "environment", Name: name}
	}
	if len(c.Environments) == 1 {
		return exitWith(exitOther, "environment %q is the only one; add another before removing it", name)
	}
	items := len(e.Variables) + len(c.ClientsIn(name)) + len(c.SecretsIn(name)) + len(c.RequestsIn(name))
	if items > 0 && !opts.Yes {
		what := fmt.Sprintf("%d variables, %d auth clients, %d secrets, %d requests", len(e.Variables), len(c.ClientsIn(name)), len(c.SecretsIn(name)), len(c.RequestsIn(name)))
		ok, err := a.confirm(fmt.Sprintf("Remove environment %q with %s?", name, what))
		if errors.Is(err, errNoTerminal) {
			return exitWith(exitMissingInput, "environment %q holds %s; pass --yes to remove it (there is no terminal to confirm on)", name, what)
		}
		if err != nil {
			return err
		}
		if !ok {
			return exitWith(exitAborted, "kept environment %q", name)
		}
	}
	if err := v.RemoveEnv(ctx, name); err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.Out, "Removed environment %q.\n", name)
	return nil
}

// envSetOptions are the inputs of `env set`.
type envSetOptions struct {
	App *App
	IO  IOStreams
	Key string
	// Value is the value given on the command line; HasValue says one was.
	Value              string
	HasValue           bool
	Secret, ValueStdin bool
	// Plain makes a secret variable plain; without it a variable that is
	// secret stays secret, whatever the command line says.
	Plain bool
}

func newEnvSetCmd(a *App, runF func(context.Context, *envSetOptions) error) *cobra.Command {
	opts := &envSetOptions{App: a, IO: a.IO}
	if runF == nil {
		runF = runEnvSet
	}
	cmd := &cobra.Command{
		Use:   "set KEY [VALUE]",
		Short: "Set a variable of the environment ({{KEY}} in URLs, headers, bodies)",
		Long: `Set a variable of the environment. A plain value may be given on the command
line. A secret variable (--secret) keeps its value in the vault; its value is
never taken from the command line: pipe it with --value-stdin or type it at the
prompt (not echoed). A variable that is already secret (an imported credential
slot, say) stays secret: a new value goes to the vault. --plain makes it plain,
its value then kept in the catalog.`,
		Example: `  authdeck env set baseUrl https://api.example.com
  authdeck env set apiToken --secret                 # prompts, no echo
  vault-cli read token | authdeck env set apiToken --secret --value-stdin`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Key, opts.HasValue = args[0], len(args) == 2
			if opts.HasValue {
				opts.Value = args[1]
			}
			return runF(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Secret, "secret", false, "keep the value in the vault (read from stdin or a no-echo prompt)")
	cmd.Flags().BoolVar(&opts.ValueStdin, "value-stdin", false, "read the value from standard input")
	cmd.Flags().BoolVar(&opts.Plain, "plain", false, "make a secret variable plain (its value leaves the vault for the catalog)")
	cmd.MarkFlagsMutuallyExclusive("secret", "plain")
	return cmd
}

// runEnvSet sets a variable of the environment, a secret one's value read
// from stdin or a no-echo prompt only.
func runEnvSet(ctx context.Context, opts *envSetOptions) error {
	a, key := opts.App, opts.Key
	v, c, env, err := a.workspace()
	if err != nil {
		return err
	}
	if err := vault.ValidateVarName(env, key); err != nil {
		return err
	}
	e, _ := c.Env(env)
	old, existed := e.Var(key)
	keptSecret := existed && old.Secret && !opts.Secret && !opts.Plain
	if keptSecret {
		if opts.HasValue {
			return exitWith(exitOther, "variable %s is secret: its value is never taken from the command line (shell history, process lists); use --value-stdin or the prompt, or --plain to make it a plain variable", key)
		}
		opts.Secret = true
	}
	value, err := envSetValue(opts)
	if err != nil {
		return err
	}
	if err := v.SetVar(ctx, env, key, value, opts.Secret); err != nil {
		return err
	}
	kind := "plain, kept in the catalog"
	if opts.Secret {
		kind = "secret, value in the " + vault.BackendLabel(v.Backend()) + " vault"
	}
	fmt.Fprintf(opts.IO.Out, "Set %s in environment %q (%s).\n", key, env, kind)
	if existed && old.Secret && !opts.Secret {
		fmt.Fprintf(opts.IO.Err, "note: %s was a secret variable; it is now plain and its value sits in the catalog\n", key)
	}
	return nil
}

// envSetValue reads the value `env set` stores: from the command line
// (plain variables only), stdin, or a prompt on a terminal.
func envSetValue(opts *envSetOptions) (string, error) {
	a, key := opts.App, opts.Key
	switch {
	case opts.Secret && opts.HasValue:
		return "", exitWith(exitOther, "variable %s: secret values are never taken from the command line (shell history, process lists); use --value-stdin or the prompt", key)
	case opts.HasValue && opts.ValueStdin:
		return "", exitWith(exitOther, "variable %s: give the value either on the command line or with --value-stdin, not both", key)
	case opts.Secret:
		return a.secretInput("value of "+key, "--value-stdin", opts.ValueStdin)
	case opts.HasValue:
		return opts.Value, nil
	case opts.ValueStdin:
		return a.readStdinSecret("value of " + key)
	case a.isTerminal():
		fmt.Fprintf(opts.IO.Err, "Value of %s: ", key)
		return a.readLine()
	}
	return "", exitWith(exitMissingInput, "variable %s: no value: give it as VALUE or pipe it with --value-stdin", key)
}

func newEnvUnsetCmd(a *App, runF func(context.Context, *envNameOptions) error) *cobra.Command {
	opts := &envNameOptions{App: a, IO: a.IO}
	if runF == nil {
		runF = runEnvUnset
	}
	return &cobra.Command{
		Use:     "unset KEY",
		Short:   "Remove a variable (and its stored value when secret)",
		Example: "  authdeck env unset apiToken\n  authdeck env unset baseUrl --env staging",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			return runF(cmd.Context(), opts)
		},
	}
}

// runEnvUnset removes a variable of the environment.
func runEnvUnset(ctx context.Context, opts *envNameOptions) error {
	v, _, env, err := opts.App.workspace()
	if err != nil {
		return err
	}
	if err := v.UnsetVar(ctx, env, opts.Name); err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.Out, "Removed %s from environment %q.\n", opts.Name, env)
	return nil
}

// envVarJSON is a variable in `env show --json`; secret values only with --reveal.
type envVarJSON struct {
	Name   string  `json:"name"`
	Secret bool    `json:"secret"`
	Value  *string `json:"value,omitempty"`
}

// envShowOptions are the inputs of `env show`.
type envShowOptions struct {
	App *App
	IO  IOStreams
	// Name is the environment; empty: the one in use.
	Name           string
	AsJSON, Reveal bool
}

func newEnvShowCmd(a *App, runF func(context.Context, *envShowOptions) error) *cobra.Command {
	opts := &envShowOptions{App: a, IO: a.IO}
	if runF == nil {
		runF = runEnvShow
	}
	cmd := &cobra.Command{
		Use:   "show [NAME]",
		Short: "Show an environment and its variables (secret values masked)",
		Long: `Show an environment: tenant, description, variables and what it holds.
Secret variables are masked and not even read from the vault unless --reveal.`,
		Example:           "  authdeck env show\n  authdeck env show prod --json\n  authdeck env show --reveal",
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: a.completeNames(completeEnvs),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Name = args[0]
			}
			return runF(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.AsJSON, "json", false, "print JSON")
	cmd.Flags().BoolVar(&opts.Reveal, "reveal", false, "print secret variable values")
	return cmd
}

// runEnvShow prints an environment, its variables (secret values read
// from the vault only with Reveal) and how many items it holds.
func runEnvShow(ctx context.Context, opts *envShowOptions) error {
	a := opts.App
	v, c, err := a.catalog()
	if err != nil {
		return err
	}
	active, _ := a.Env(c)
	name := opts.Name
	if name == "" {
		name = active
		if name == "" {
			if _, err := a.Env(c); err != nil {
				return err
			}
		}
	}
	e, ok := c.Env(name)
	if !ok {
		return &vault.NotFoundError{Kind: "environment", Name: name}
	}
	vars, err := envShowVars(ctx, v, *e, opts.Reveal)
	if err != nil {
		return err
	}
	if opts.AsJSON {
		out := struct {
			envJSON
			Vars        []envVarJSON `json:"vars"`
			ClientNames []string     `json:"clientNames"`
			SecretNames []string     `json:"secretNames"`
		}{envJSON: envSummary(c, *e, active), Vars: vars, ClientNames: []string{}, SecretNames: []string{}}
		for _, x := range c.ClientsIn(name) {
			out.ClientNames = append(out.ClientNames, x.Name)
		}
		for _, x := range c.SecretsIn(name) {
			out.SecretNames = append(out.SecretNames, x.Name)
		}
		return writeJSON(opts.IO.Out, out)
	}
	renderEnv(a, opts.IO.Out, c, *e, active, vars)
	return nil
}

// envShowVars are the variables of e as `env show` prints them: secret
// values only when revealed (and only then read from the vault).
func envShowVars(ctx context.Context, v *vault.Vault, e vault.Environment, reveal bool) ([]envVarJSON, error) {
	var values map[string]string
	if reveal && e.HasSecretVars() {
		var err error
		if values, err = v.Vars(ctx, e.Name); err != nil {
			return nil, err
		}
	}
	vars := make([]envVarJSON, 0, len(e.Variables))
	for _, x := range e.Variables {
		j := envVarJSON{Name: x.Name, Secret: x.Secret}
		val := x.Value
		if x.Secret {
			val = values[x.Name]
		}
		if !x.Secret || reveal {
			j.Value = &val
		}
		vars = append(vars, j)
	}
	return vars, nil
}

// renderEnv writes `env show`'s view: the environment, then its variables.
func renderEnv(a *App, w io.Writer, c *vault.Catalog, e vault.Environment, active string, vars []envVarJSON) {
	name := e.Name
	k := &kv{}
	if e.Name == active {
		k.addc("environment", cell{text: e.Name + " (active)", color: sgrGreen})
	} else {
		k.add("environment", e.Name)
	}
	k.add("tenant", e.Tenant)
	k.add("description", e.Description)
	k.add("auth clients", fmt.Sprint(len(c.ClientsIn(name))))
	k.add("secrets", fmt.Sprint(len(c.SecretsIn(name))))
	k.add("requests", fmt.Sprint(len(c.RequestsIn(name))))
	k.add("created", fmtTime(&e.Created))
	k.add("updated", fmtTime(&e.Updated))
	k.render(a, w)
	if len(vars) == 0 {
		fmt.Fprintln(w, "\nNo variables.")
		return
	}
	fmt.Fprintln(w)
	t := &table{header: []string{"VARIABLE", "VALUE"}}
	for _, x := range vars {
		switch {
		case x.Value != nil:
			t.add(cell{text: x.Name}, cell{text: *x.Value})
		default:
			t.add(cell{text: x.Name}, cell{text: mask.Dots + " (secret, in the vault; --reveal prints it)", color: sgrDim})
		}
	}
	t.render(a, w)
}
