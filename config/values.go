package config

import (
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// str decodes a string value into dst.
func (d *decoder) str(dst *string) func(string, *yaml.Node) {
	return func(key string, n *yaml.Node) {
		if s, ok := d.scalar(n, key); ok {
			*dst = strings.TrimSpace(s)
		}
	}
}

// integer decodes an integer no smaller than lowest into dst.
func (d *decoder) integer(dst *int, lowest int) func(string, *yaml.Node) {
	return func(key string, n *yaml.Node) {
		s, ok := d.scalar(n, key)
		if !ok {
			return
		}
		v, err := strconv.Atoi(strings.TrimSpace(s))
		switch {
		case err != nil:
			d.errorf(n, key, "expected a whole number (got %q)", raw(n))
		case v < lowest:
			d.errorf(n, key, "must be at least %d (got %d)", lowest, v)
		default:
			*dst = v
		}
	}
}

// duration decodes a Go duration ("90s", "1h30m") into dst. It must not
// be negative, and must be above zero when positive is set.
func (d *decoder) duration(dst *time.Duration, positive bool) func(string, *yaml.Node) {
	return func(key string, n *yaml.Node) {
		s, ok := d.scalar(n, key)
		if !ok {
			return
		}
		v, err := time.ParseDuration(strings.TrimSpace(s))
		switch {
		case err != nil:
			d.errorf(n, key, "expected a duration such as 30s, 10m or 6h (got %q)", raw(n))
		case v < 0:
			d.errorf(n, key, "must not be negative (got %s)", v)
		case v == 0 && positive:
			d.errorf(n, key, "must be greater than 0")
		default:
			*dst = v
		}
	}
}

// boolean decodes true or false into dst.
func (d *decoder) boolean(dst *bool) func(string, *yaml.Node) {
	return func(key string, n *yaml.Node) {
		s, ok := d.scalar(n, key)
		if !ok {
			return
		}
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true":
			*dst = true
		case "false":
			*dst = false
		default:
			d.errorf(n, key, "expected true or false (got %q)", raw(n))
		}
	}
}

// size decodes a byte size ("10MiB", "500KB", "4096") into dst.
func (d *decoder) size(dst *int64) func(string, *yaml.Node) {
	return func(key string, n *yaml.Node) {
		s, ok := d.scalar(n, key)
		if !ok {
			return
		}
		v, err := parseSize(s)
		if err != nil {
			d.errorf(n, key, "%v (got %q)", err, raw(n))
			return
		}
		*dst = v
	}
}

// stringList decodes a single string or a list of strings into dst, and
// the line of each into lines.
func (d *decoder) stringList(dst *[]string, lines *[]int) func(string, *yaml.Node) {
	return func(key string, n *yaml.Node) {
		add := func(key string, item *yaml.Node) {
			if s, ok := d.scalar(item, key); ok {
				*dst = append(*dst, strings.TrimSpace(s))
				*lines = append(*lines, item.Line)
			}
		}
		if r := resolve(n); r != nil && r.Kind == yaml.ScalarNode {
			add(key, r)
			return
		}
		d.sequence(n, key, add)
	}
}
