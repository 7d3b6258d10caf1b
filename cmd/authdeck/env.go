package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/mask"
)

func init() { register(newEnvCmd) }

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
	cmd.AddCommand(newEnvListCmd(a), newEnvAddCmd(a), newEnvUseCmd(a), newEnvRmCmd(a),
		newEnvSetCmd(a), newEnvUnsetCmd(a), newEnvShowCmd(a))
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

func newEnvListCmd(a *App) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List environments (the active one is marked *)",
		Example: "  authdeck env list\n  authdeck env list --json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, c, err := a.catalog()
			if err != nil {
				return err
			}
			active, _ := a.Env(c)
			out := make([]envJSON, 0, len(c.Environments))
			for _, e := range c.Environments {
				out = append(out, envJSON{
					Name: e.Name, Active: e.Name == active, Tenant: e.Tenant, Description: e.Description,
					Variables: len(e.Variables), Clients: len(c.ClientsIn(e.Name)), Secrets: len(c.SecretsIn(e.Name)),
					Requests: len(c.RequestsIn(e.Name)), Created: e.Created, Updated: e.Updated,
				})
			}
			if asJSON {
				return writeJSON(a.IO.Out, out)
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
			t.render(a, a.IO.Out)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newEnvAddCmd(a *App) *cobra.Command {
	var tenant, description string
	var use bool
	cmd := &cobra.Command{
		Use:     "add NAME",
		Short:   "Create an environment",
		Example: "  authdeck env add prod --tenant acme --description \"production\" --use",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, err := a.Vault()
			if err != nil {
				return err
			}
			e, err := v.AddEnv(vault.Environment{Name: args[0], Tenant: tenant, Description: description})
			if err != nil {
				return err
			}
			fmt.Fprintf(a.IO.Out, "Created environment %q.\n", e.Name)
			if use {
				if err := v.UseEnv(e.Name); err != nil {
					return err
				}
				fmt.Fprintf(a.IO.Out, "Active environment: %s\n", e.Name)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant label")
	cmd.Flags().StringVar(&description, "description", "", "free text")
	cmd.Flags().BoolVar(&use, "use", false, "make it the active environment")
	return cmd
}

func newEnvUseCmd(a *App) *cobra.Command {
	return &cobra.Command{
		Use:               "use NAME",
		Short:             "Make an environment the active one",
		Example:           "  authdeck env use staging",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: a.completeNames(completeEnvs),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, err := a.Vault()
			if err != nil {
				return err
			}
			if err := v.UseEnv(args[0]); err != nil {
				return err
			}
			fmt.Fprintf(a.IO.Out, "Active environment: %s\n", args[0])
			if e := a.Getenv("AUTHDECK_ENV"); e != "" && e != args[0] {
				fmt.Fprintf(a.IO.Err, "note: AUTHDECK_ENV=%s still overrides it in this shell\n", e)
			}
			return nil
		},
	}
}

func newEnvRmCmd(a *App) *cobra.Command {
	var yes bool
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
			name := args[0]
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
			if items > 0 && !yes {
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
			if err := v.RemoveEnv(cmd.Context(), name); err != nil {
				return err
			}
			fmt.Fprintf(a.IO.Out, "Removed environment %q.\n", name)
			return nil
		},
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "remove without asking, even when it is not empty")
	return cmd
}

func newEnvSetCmd(a *App) *cobra.Command {
	var secret, valueStdin bool
	cmd := &cobra.Command{
		Use:   "set KEY [VALUE]",
		Short: "Set a variable of the environment ({{KEY}} in URLs, headers, bodies)",
		Long: `Set a variable of the environment. A plain value may be given on the command
line. A secret variable (--secret) keeps its value in the vault; its value is
never taken from the command line: pipe it with --value-stdin or type it at the
prompt (not echoed).`,
		Example: `  authdeck env set baseUrl https://api.example.com
  authdeck env set apiToken --secret                 # prompts, no echo
  vault-cli read token | authdeck env set apiToken --secret --value-stdin`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			key := args[0]
			v, c, env, err := a.workspace()
			if err != nil {
				return err
			}
			if err := vault.ValidateVarName(env, key); err != nil {
				return err
			}
			var value string
			switch {
			case secret && len(args) == 2:
				return exitWith(exitOther, "variable %s: secret values are never taken from the command line (shell history, process lists); use --value-stdin or the prompt", key)
			case len(args) == 2 && valueStdin:
				return exitWith(exitOther, "variable %s: give the value either on the command line or with --value-stdin, not both", key)
			case secret:
				value, err = a.secretInput("value of "+key, "--value-stdin", valueStdin)
			case len(args) == 2:
				value = args[1]
			case valueStdin:
				value, err = a.readStdinSecret("value of " + key)
			case a.isTerminal():
				fmt.Fprintf(a.IO.Err, "Value of %s: ", key)
				value, err = a.readLine()
			default:
				return exitWith(exitMissingInput, "variable %s: no value: give it as VALUE or pipe it with --value-stdin", key)
			}
			if err != nil {
				return err
			}
			e, _ := c.Env(env)
			old, existed := e.Var(key)
			if err := v.SetVar(cmd.Context(), env, key, value, secret); err != nil {
				return err
			}
			kind := "plain, kept in the catalog"
			if secret {
				kind = "secret, value in the " + vault.BackendLabel(v.Backend()) + " vault"
			}
			fmt.Fprintf(a.IO.Out, "Set %s in environment %q (%s).\n", key, env, kind)
			if existed && old.Secret && !secret {
				fmt.Fprintf(a.IO.Err, "note: %s was a secret variable; it is now plain and its value sits in the catalog\n", key)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&secret, "secret", false, "keep the value in the vault (read from stdin or a no-echo prompt)")
	cmd.Flags().BoolVar(&valueStdin, "value-stdin", false, "read the value from standard input")
	return cmd
}

func newEnvUnsetCmd(a *App) *cobra.Command {
	return &cobra.Command{
		Use:     "unset KEY",
		Short:   "Remove a variable (and its stored value when secret)",
		Example: "  authdeck env unset apiToken\n  authdeck env unset baseUrl --env staging",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, _, env, err := a.workspace()
			if err != nil {
				return err
			}
			if err := v.UnsetVar(cmd.Context(), env, args[0]); err != nil {
				return err
			}
			fmt.Fprintf(a.IO.Out, "Removed %s from environment %q.\n", args[0], env)
			return nil
		},
	}
}

// envVarJSON is a variable in `env show --json`; secret values only with --reveal.
type envVarJSON struct {
	Name   string  `json:"name"`
	Secret bool    `json:"secret"`
	Value  *string `json:"value,omitempty"`
}

func newEnvShowCmd(a *App) *cobra.Command {
	var asJSON, reveal bool
	cmd := &cobra.Command{
		Use:   "show [NAME]",
		Short: "Show an environment and its variables (secret values masked)",
		Long: `Show an environment: tenant, description, variables and what it holds.
Secret variables are masked and not even read from the vault unless --reveal.`,
		Example:           "  authdeck env show\n  authdeck env show prod --json\n  authdeck env show --reveal",
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: a.completeNames(completeEnvs),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, c, err := a.catalog()
			if err != nil {
				return err
			}
			active, _ := a.Env(c)
			name := active
			if len(args) == 1 {
				name = args[0]
			} else if name == "" {
				if _, err := a.Env(c); err != nil {
					return err
				}
			}
			e, ok := c.Env(name)
			if !ok {
				return &vault.NotFoundError{Kind: "environment", Name: name}
			}
			var values map[string]string
			if reveal && e.HasSecretVars() {
				if values, err = v.Vars(cmd.Context(), name); err != nil {
					return err
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
			if asJSON {
				out := struct {
					envJSON
					Vars        []envVarJSON `json:"vars"`
					ClientNames []string     `json:"clientNames"`
					SecretNames []string     `json:"secretNames"`
				}{
					envJSON: envJSON{Name: e.Name, Active: e.Name == active, Tenant: e.Tenant, Description: e.Description,
						Variables: len(e.Variables), Clients: len(c.ClientsIn(name)), Secrets: len(c.SecretsIn(name)),
						Requests: len(c.RequestsIn(name)), Created: e.Created, Updated: e.Updated},
					Vars: vars, ClientNames: []string{}, SecretNames: []string{},
				}
				for _, x := range c.ClientsIn(name) {
					out.ClientNames = append(out.ClientNames, x.Name)
				}
				for _, x := range c.SecretsIn(name) {
					out.SecretNames = append(out.SecretNames, x.Name)
				}
				return writeJSON(a.IO.Out, out)
			}
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
			k.render(a, a.IO.Out)
			if len(vars) == 0 {
				fmt.Fprintln(a.IO.Out, "\nNo variables.")
				return nil
			}
			fmt.Fprintln(a.IO.Out)
			t := &table{header: []string{"VARIABLE", "VALUE"}}
			for _, x := range vars {
				switch {
				case x.Value != nil:
					t.add(cell{text: x.Name}, cell{text: *x.Value})
				default:
					t.add(cell{text: x.Name}, cell{text: mask.Dots + " (secret, in the vault; --reveal prints it)", color: sgrDim})
				}
			}
			t.render(a, a.IO.Out)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().BoolVar(&reveal, "reveal", false, "print secret variable values")
	return cmd
}
