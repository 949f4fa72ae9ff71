package config

import (
	"fmt"
	"maps"
	"slices"

	"go.yaml.in/yaml/v3"
)

// decoder walks the node tree by hand rather than decoding into structs:
// node.Decode does not inherit KnownFields (go-yaml issue #460), a struct
// decode loses each value's line and stops at the first wrong type, and
// ${VAR} must be expanded before a value is typed (port: ${SMTP_PORT}).
// Walking gives all three, and every error its key path.
type decoder struct {
	file string
	dir  string // base for relative *_file paths
	opts Options
	errs []*Error
	bad  map[*yaml.Node]bool // nodes already reported, to avoid a second error
	// visits counts the values walked, and budget bounds them; see spend.
	visits, budget int
	// digests are the digest keys decoded, checked once topics are known.
	digests []*DigestPolicy
}

// maxAliasValues bounds what aliases add to the walk. A file is parsed in
// linear time, but aliases let a small file name the same large list many
// times over (the "billion laughs" pattern); real configurations use
// aliases for a shared setting or two.
const maxAliasValues = 100_000

// walkBudget is how many values the walk of root may spend: every node of
// the file twice (a list item counts once as an item and once as a value),
// plus maxAliasValues for what aliases repeat. A file without aliases
// never reaches it, however many sources it lists, and an alias bomb is
// stopped after a walk no longer than its own size plus maxAliasValues.
func walkBudget(root *yaml.Node) int {
	nodes := 0
	stack := []*yaml.Node{root}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n == nil {
			continue
		}
		nodes++
		stack = append(stack, n.Content...) // an alias has none: not followed
	}
	return 2*nodes + maxAliasValues
}

// spend counts one value walked at n, and reports false (with one error
// for the file) once the walk has used up its budget.
func (d *decoder) spend(n *yaml.Node) bool {
	d.visits++
	if d.visits == d.budget+1 {
		d.errorf(n, "", "too many values: aliases expand this file by more than %d values", maxAliasValues)
	}
	return d.visits <= d.budget
}

// errorf records a problem at n (which may be nil: no line) and key.
func (d *decoder) errorf(n *yaml.Node, key, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
		if d.bad == nil {
			d.bad = map[*yaml.Node]bool{}
		}
		d.bad[n] = true
	}
	d.errs = append(d.errs, &Error{File: d.file, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)})
}

// errorAt records a problem at a line and key.
func (d *decoder) errorAt(line int, key, format string, args ...any) {
	d.errs = append(d.errs, &Error{File: d.file, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)})
}

// fields maps each allowed key of a mapping to the decoder of its value.
type fields map[string]func(key string, v *yaml.Node)

// mapping decodes mapping n, reporting unknown and repeated keys.
// A null or absent node is an empty mapping.
func (d *decoder) mapping(n *yaml.Node, key string, fs fields) {
	n = resolve(n)
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, key, "expected a mapping, got %s", kindName(n))
		return
	}
	seen := make(map[string]int, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content) && d.spend(n.Content[i]); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		path := joinKey(key, k.Value)
		switch decode, known := fs[k.Value]; {
		case k.Kind != yaml.ScalarNode:
			d.errorf(k, key, "keys must be plain strings")
		case k.ShortTag() == "!!merge":
			d.errorf(k, key, "merge keys (<<) are not supported")
		case seen[k.Value] != 0:
			d.errorf(k, path, "key repeated (first at line %d)", seen[k.Value])
		case !known:
			seen[k.Value] = k.Line
			d.errorf(k, path, "unknown key")
		default:
			seen[k.Value] = k.Line
			decode(path, v)
		}
	}
}

// sequence calls each for every item of sequence n, with its key path.
// A null or absent node is an empty sequence.
func (d *decoder) sequence(n *yaml.Node, key string, each func(key string, item *yaml.Node)) {
	n = resolve(n)
	if isNull(n) {
		return
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, key, "expected a list, got %s", kindName(n))
		return
	}
	for i, item := range n.Content {
		if !d.spend(item) {
			return
		}
		each(fmt.Sprintf("%s[%d]", key, i), item)
	}
}

// scalar returns the ${VAR}-expanded text of scalar n. ok is false when
// n is null (the caller keeps its default) or after reporting a problem.
// Values are never quoted in errors here: n may hold a secret.
func (d *decoder) scalar(n *yaml.Node, key string) (s string, ok bool) {
	n = resolve(n)
	if isNull(n) || !d.spend(n) {
		return "", false
	}
	if n.Kind != yaml.ScalarNode {
		d.errorf(n, key, "expected a single value, got %s", kindName(n))
		return "", false
	}
	s, problems := expand(n.Value, d.opts.Getenv)
	for _, p := range problems {
		d.errorf(n, key, "%s", p)
	}
	return s, len(problems) == 0
}

// required reports each key of mapping n whose decoded value (in values)
// is empty, unless its value was already reported.
func (d *decoder) required(n *yaml.Node, key string, values map[string]string) {
	for _, name := range slices.Sorted(maps.Keys(values)) {
		v := valueNode(n, name)
		if values[name] == "" && !d.bad[v] {
			at := v
			if at == nil {
				at = n
			}
			d.errorf(at, joinKey(key, name), "required")
		}
	}
}

// entry reports whether list item n is a mapping to check further; an
// empty item is reported here, other kinds were reported by mapping.
func (d *decoder) entry(n *yaml.Node, key string) bool {
	if isNull(n) {
		d.errorf(n, key, "empty entry")
		return false
	}
	return n.Kind == yaml.MappingNode
}
