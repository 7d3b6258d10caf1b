package interchange

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"

	"gopkg.in/yaml.v3"

	"github.com/authdeck/authdeck/vault/lazyre"
)

// yamlError is a problem in a YAML document, with where it is.
type yamlError struct {
	Line, Col int
	Msg       string
}

func (e *yamlError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Col, e.Msg)
}

var yamlLineRe = lazyre.New(`^yaml: (?:line (\d+): )?(.*)$`)

// checkYAML parses a YAML document, refusing what a lenient reader lets
// pass: a key given twice in one mapping (yaml.v3 reports it), more than
// one document, anchors that expand beyond reason.
func checkYAML(data []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var n yaml.Node
	if err := dec.Decode(&n); err != nil {
		if errors.Is(err, io.EOF) {
			return &yamlError{Line: 1, Col: 1, Msg: "the document is empty"}
		}
		return yamlErr(err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return &yamlError{Line: extra.Line, Col: extra.Column, Msg: "a second YAML document in the file; one is expected"}
	}
	if err := checkYAMLNode(&n, 0); err != nil {
		return err
	}
	return nil
}

// checkYAMLNode refuses duplicate keys (yaml.v3 decodes the last one into
// a map without a word when they are merged) and deep nesting.
func checkYAMLNode(n *yaml.Node, depth int) error {
	if depth > 256 {
		return &yamlError{Line: n.Line, Col: n.Column, Msg: "nested more than 256 levels deep"}
	}
	if n.Kind == yaml.MappingNode {
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind == yaml.ScalarNode && k.Tag != "!!merge" {
				if seen[k.Value] {
					return &yamlError{Line: k.Line, Col: k.Column, Msg: fmt.Sprintf("key %q appears twice in one mapping", k.Value)}
				}
				seen[k.Value] = true
			}
		}
	}
	for _, c := range n.Content {
		if err := checkYAMLNode(c, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func yamlErr(err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		err = errors.New(te.Errors[0])
	}
	if m := yamlLineRe.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		if line == 0 {
			line = 1
		}
		return &yamlError{Line: line, Col: 1, Msg: m[2]}
	}
	return &yamlError{Line: 1, Col: 1, Msg: err.Error()}
}

// unmarshalYAMLOrJSON decodes a YAML (or JSON, a subset) document into v.
func unmarshalYAMLOrJSON(data []byte, v any) error {
	if err := yaml.Unmarshal(data, v); err != nil {
		return yamlErr(err)
	}
	return nil
}
