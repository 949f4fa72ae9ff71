package config

import (
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Follow makes a topic follow its story: an item the query misses but
// that shares enough of the names significant in the topic's recent
// matches is delivered as related. `follow: true` takes the defaults;
// a mapping sets any of them.
type Follow struct {
	// Window is how far back the topic's matches (and everything read,
	// their background) are taken from the archive. The archive keeps
	// items for retention, so a longer window sees no further.
	Window time.Duration `yaml:"window"`
	// MinShared is how many significant terms an item must share with
	// one earlier match.
	MinShared int `yaml:"min_shared"`
	// Terms is how many of the most significant terms count.
	Terms int `yaml:"terms"`
	// MinLift is how many times more frequent in the matches than in
	// everything read a term must be.
	MinLift float64 `yaml:"min_lift"`
	// Line is where the follow key is, for errors found later.
	Line int `yaml:"-"`
}

// DefaultFollow is what `follow: true` means. The thresholds were chosen
// on the labelled corpus replayed in time order (see README, "Follow
// the story"): the loosest that delivered no wrong related item, with the
// shipped topics and with one-name topics of a story's first day.
func DefaultFollow() Follow {
	return Follow{Window: 30 * 24 * time.Hour, MinShared: 3, Terms: 30, MinLift: 2}
}

// follow decodes `follow: true|false` or a mapping of its settings.
func (d *decoder) follow(dst **Follow) func(string, *yaml.Node) {
	return func(key string, n *yaml.Node) {
		n = resolve(n)
		f := DefaultFollow()
		f.Line = n.Line
		if n.Kind == yaml.ScalarNode && !isNull(n) {
			on := false
			d.boolean(&on)(key, n)
			if on {
				*dst = &f
			}
			return
		}
		d.mapping(n, key, fields{
			"window":     d.duration(&f.Window, true),
			"min_shared": d.integer(&f.MinShared, 1),
			"terms":      d.integer(&f.Terms, 1),
			"min_lift":   d.ratio(&f.MinLift),
		})
		*dst = &f
	}
}

// ratio decodes a number of at least 1 ("3", "2.5") into dst.
func (d *decoder) ratio(dst *float64) func(string, *yaml.Node) {
	return func(key string, n *yaml.Node) {
		s, ok := d.scalar(n, key)
		if !ok {
			return
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		switch {
		case err != nil:
			d.errorf(n, key, "expected a number such as 3 or 2.5 (got %q)", raw(n))
		case v < 1:
			d.errorf(n, key, "must be at least 1 (got %v)", v)
		default:
			*dst = v
		}
	}
}
