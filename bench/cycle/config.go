package main

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/robfig/cron/v3"
	"go.yaml.in/yaml/v3"
)

// shippedConfig is the repository's config.yaml, read from the working
// directory: the benchmark runs the watcher with what a user gets.
const shippedConfig = "config.yaml"

// source is one generated feed source in the watcher's configuration.
type source struct {
	Name string `yaml:"name"`
	Feed string `yaml:"feed"`
}

// runConfig is what a benchmark run changes in the shipped configuration.
type runConfig struct {
	urls        []string
	concurrency int // the floor's global bound
	topics      []topic
	// schedule and budget are set for the soak only (the daemon); empty
	// and zero leave the shipped values.
	schedule string
	budget   time.Duration
}

// bounds are the fetch settings the floor is given, as the watcher reads
// them from the configuration written for it.
type bounds struct {
	concurrency, perHost int
	hostDelay, pageDelay string // shipped, for the report
	urls                 []string
	hosts                map[string]int // feeds per host
}

// writeConfig writes dir/config.yaml: the shipped configuration as it is
// (fetch, delivery, schedule, retention …) with the benchmark's sources
// and topics, no sink, and fetch.concurrency set to the floor's. It reads
// the file back and returns the bounds the floor must share.
func writeConfig(dir string, rc runConfig) (bounds, error) {
	doc, err := readYAML(shippedConfig)
	if err != nil {
		return bounds{}, err
	}
	root := doc.Content[0]
	fetch := mapValue(root, "fetch")
	if fetch == nil || fetch.Kind != yaml.MappingNode {
		return bounds{}, fmt.Errorf("%s: no fetch section", shippedConfig)
	}
	// The one change to the shipped fetch settings: the global bound is
	// the floor's, so that the ratio compares the two programs at the
	// same parallelism rather than the shipped bound with another one.
	// Everything else (per_host, host_delay, page_delay, timeout) stays
	// as shipped: that is what the benchmark measures.
	setScalar(fetch, "concurrency", strconv.Itoa(rc.concurrency), "!!int")
	// The state file goes in the run's directory, whatever the shipped
	// path; and no sink: digests go to standard output, which the bench
	// discards.
	setScalar(root, "state", "watcher.db", "!!str")
	setValue(root, "alerts", &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"})
	if rc.schedule != "" {
		if err := soakSchedule(root, fetch, rc); err != nil {
			return bounds{}, err
		}
	}
	srcs := make([]source, len(rc.urls))
	for i, u := range rc.urls {
		srcs[i] = source{Name: fmt.Sprintf("feed-%d", i), Feed: u}
	}
	if err := setEncoded(root, "sources", srcs); err != nil {
		return bounds{}, err
	}
	if err := appendTopics(root, rc.topics); err != nil {
		return bounds{}, err
	}
	data, err := yaml.Marshal(doc)
	if err != nil {
		return bounds{}, fmt.Errorf("encode the bench configuration: %w", err)
	}
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return bounds{}, err
	}
	return readBounds(path)
}

// soakSchedule makes the daemon run its cycles back to back. The shipped
// schedule (every 30 minutes) would take days for 200 cycles; the budget
// a cycle gets stays the one the shipped schedule gives (by default four
// fifths of its gap), not the second or so the soak's tick would give, so
// that no cycle is cut short.
func soakSchedule(root, fetch *yaml.Node, rc runConfig) error {
	if rc.budget > 0 {
		setScalar(fetch, "budget", rc.budget.String(), "!!str")
	} else if b := mapValue(fetch, "budget"); b == nil || b.Value == "0s" || b.Value == "0" {
		s := mapValue(root, "schedule")
		if s == nil {
			return fmt.Errorf("%s sets no schedule: the soak keeps the budget it gives", shippedConfig)
		}
		budget, err := scheduleBudget(s.Value)
		if err != nil {
			return fmt.Errorf("%s: schedule: %w", shippedConfig, err)
		}
		setScalar(fetch, "budget", budget.String(), "!!str")
	}
	setScalar(root, "schedule", rc.schedule, "!!str")
	return nil
}

// scheduleBudget is four fifths of the gap between the next two ticks of
// a cron spec: the watcher's default budget for that schedule.
func scheduleBudget(spec string) (time.Duration, error) {
	s, err := cron.ParseStandard(spec)
	if err != nil {
		return 0, err
	}
	t := s.Next(time.Now())
	return s.Next(t).Sub(t) * 4 / 5, nil
}

// readBounds reads back the written configuration: the bounds the watcher
// will apply and the sources it will read, which the floor then uses.
func readBounds(path string) (bounds, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return bounds{}, err
	}
	var c struct {
		Fetch struct {
			Concurrency int    `yaml:"concurrency"`
			PerHost     int    `yaml:"per_host"`
			HostDelay   string `yaml:"host_delay"`
			PageDelay   string `yaml:"page_delay"`
		} `yaml:"fetch"`
		Sources []source `yaml:"sources"`
	}
	if err := yaml.Unmarshal(data, &c); err != nil {
		return bounds{}, fmt.Errorf("%s: %w", path, err)
	}
	// No default is assumed here: the shipped file must say what bound it
	// ships, or the floor could not be given the same one.
	if c.Fetch.PerHost < 1 {
		return bounds{}, fmt.Errorf("%s sets no fetch.per_host: the floor needs the watcher's per-host bound", shippedConfig)
	}
	b := bounds{concurrency: c.Fetch.Concurrency, perHost: c.Fetch.PerHost,
		hostDelay: c.Fetch.HostDelay, pageDelay: c.Fetch.PageDelay, hosts: map[string]int{}}
	for _, s := range c.Sources {
		u, err := url.Parse(s.Feed)
		if err != nil {
			return bounds{}, fmt.Errorf("%s: source %s: %w", path, s.Name, err)
		}
		b.urls = append(b.urls, s.Feed)
		b.hosts[u.Host]++
	}
	return b, nil
}

func readYAML(path string) (*yaml.Node, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read the shipped configuration: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: not a YAML mapping", path)
	}
	return &doc, nil
}

// mapValue returns the value of key in mapping m, or nil.
func mapValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// setValue replaces the value of key in mapping m, or appends the pair.
func setValue(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
}

func setScalar(m *yaml.Node, key, value, tag string) {
	setValue(m, key, &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: value})
}

// setEncoded sets key in m to v encoded as YAML.
func setEncoded(m *yaml.Node, key string, v any) error {
	var n yaml.Node
	if err := n.Encode(v); err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	setValue(m, key, &n)
	return nil
}

// appendTopics adds the generated topics after the shipped ones.
func appendTopics(root *yaml.Node, ts []topic) error {
	var gen yaml.Node
	if err := gen.Encode(ts); err != nil {
		return fmt.Errorf("encode topics: %w", err)
	}
	shipped := mapValue(root, "topics")
	if shipped == nil || shipped.Kind != yaml.SequenceNode {
		setValue(root, "topics", &gen)
		return nil
	}
	shipped.Content = append(shipped.Content, gen.Content...)
	return nil
}
