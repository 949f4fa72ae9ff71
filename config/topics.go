package config

import (
	"fmt"
	"regexp"

	"go.yaml.in/yaml/v3"
)

// topicID is the form of a topic id: it appears in digests, state keys
// and command lines, so it is kept to lower-case letters, digits and -.
var topicID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// topics decodes the topics list and checks ids are unique.
func (d *decoder) topics(key string, n *yaml.Node, dst *[]Topic) {
	firstLine := map[string]int{}
	d.sequence(n, key, func(key string, item *yaml.Node) {
		t := d.topic(key, item)
		if t.ID == "" {
			return
		}
		if line, dup := firstLine[t.ID]; dup {
			d.errorAt(t.Line, key+".id", "duplicate topic id %q (first at line %d)", t.ID, line)
		} else {
			firstLine[t.ID] = t.Line
		}
		*dst = append(*dst, t)
	})
}

// topic decodes and checks one topic entry.
func (d *decoder) topic(key string, n *yaml.Node) Topic {
	t := Topic{Line: n.Line}
	n = resolve(n)
	d.mapping(n, key, fields{
		"id":        d.str(&t.ID),
		"title":     d.str(&t.Title),
		"query":     d.str(&t.Query),
		"exclude":   d.stringList(&t.Exclude, &t.ExcludeLines),
		"min_terms": d.integer(&t.MinTerms, 0),
		"follow":    d.follow(&t.Follow),
	})
	if !d.entry(n, key) {
		return Topic{}
	}
	if q := valueNode(n, "query"); q != nil {
		t.QueryLine = q.Line
	}
	if t.ID != "" && !topicID.MatchString(t.ID) {
		d.errorf(valueNode(n, "id"), key+".id", "%q must be lower-case letters, digits and -, starting with a letter or digit", raw(valueNode(n, "id")))
	}
	d.required(n, key, map[string]string{"id": t.ID, "title": t.Title, "query": t.Query})
	d.validateQueries(key, t)
	return t
}

// validateQueries runs Options.ValidateQuery over the query and excludes,
// reporting each failure at its line.
func (d *decoder) validateQueries(key string, t Topic) {
	if d.opts.ValidateQuery == nil {
		return
	}
	check := func(line int, key, q string) {
		if q == "" {
			return
		}
		if err := d.opts.ValidateQuery(q); err != nil {
			d.errorAt(line, key, "%s", err.Error())
		}
	}
	check(t.QueryLine, key+".query", t.Query)
	for i, ex := range t.Exclude {
		check(t.ExcludeLines[i], fmt.Sprintf("%s.exclude[%d]", key, i), ex)
	}
}
