package config

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// raw returns n's text as written in the file, before ${VAR} expansion.
// Errors that quote a value quote this, so a value taken from the
// environment (perhaps a secret, put in the wrong key) is never shown.
func raw(n *yaml.Node) string {
	if n = resolve(n); n == nil {
		return ""
	}
	return n.Value
}

// detail returns ": " and a library's error about value s, which came
// from n, or nothing when s came from the environment: such messages
// often quote the value, and it may be a secret.
func detail(n *yaml.Node, s string, err error) string {
	if strings.TrimSpace(raw(n)) != s {
		return ""
	}
	return ": " + err.Error()
}

// resolve follows aliases to the node they name. The walk only descends
// as deep as the schema, so an alias that contains itself ends in a type
// error, not a loop.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// isNull reports whether n is absent, empty or an explicit null.
func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// kindName names n's kind for errors.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return "a single value"
	default:
		return "nothing"
	}
}

// joinKey appends name to the key path.
func joinKey(key, name string) string {
	if key == "" {
		return name
	}
	return key + "." + name
}

// valueNode returns the value of key in mapping n, or nil.
func valueNode(n *yaml.Node, key string) *yaml.Node {
	n = resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return resolve(n.Content[i+1])
		}
	}
	return nil
}

// has reports whether mapping n gives key a non-null value.
func has(n *yaml.Node, key string) bool {
	return !isNull(valueNode(n, key))
}
