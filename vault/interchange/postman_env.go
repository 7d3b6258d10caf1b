package interchange

import (
	"fmt"
	"strings"

	"github.com/authdeck/authdeck/vault"
)

// parsePostmanEnv imports a Postman environment's variables.
func parsePostmanEnv(c pmCollection, opts RequestImportOptions) (vault.Batch, []Note, error) {
	im := newReqImporter(opts)
	env := opts.Env
	if env == "" {
		env = strings.TrimSpace(c.Name)
		if env == "" {
			return vault.Batch{}, nil, &vault.ValidationError{Kind: "import", Field: "env", Msg: "is required (the environment file has no name)"}
		}
		if err := vault.ValidateName("environment", env); err != nil {
			return vault.Batch{}, nil, err
		}
		exists := false
		if opts.Catalog != nil {
			_, exists = opts.Catalog.Env(env)
		}
		if !exists {
			im.batch.Envs = append(im.batch.Envs, vault.Environment{Name: env})
			im.note(NoteCreated, fmt.Sprintf("environment %q", env), "from the Postman environment")
		}
		im.useEnv(env)
	} else if opts.Catalog != nil {
		if _, ok := opts.Catalog.Env(env); !ok {
			return vault.Batch{}, nil, &vault.NotFoundError{Kind: "environment", Name: env}
		}
	}
	p := &pmParser{im: im}
	for _, v := range c.Values {
		p.variable(v, "the Postman environment")
	}
	return im.finish()
}
