package config

import (
	"net"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// HTTP is the daemon's own listener for /metrics, /healthz, /status and
// the Atom feeds of the latest matches. It is off while Listen is empty.
type HTTP struct {
	// Listen is a host:port such as "127.0.0.1:9310"; port 0 picks a free
	// port (the daemon logs the one it bound).
	Listen string `yaml:"listen,omitempty"`
}

// http decodes the http section.
func (d *decoder) http(key string, n *yaml.Node, h *HTTP) {
	d.mapping(n, key, fields{
		"listen": func(key string, v *yaml.Node) {
			var s string
			d.str(&s)(key, v)
			if s == "" {
				return
			}
			if msg := checkListen(s); msg != "" {
				d.errorf(v, key, "%s (got %q)", msg, raw(v))
				return
			}
			h.Listen = s
		},
	})
}

// checkListen returns what is wrong with a listen address, or "".
func checkListen(s string) string {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return "expected host:port such as 127.0.0.1:9310"
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return "port must be a number from 0 to 65535"
	}
	if host != "" && net.ParseIP(host) == nil && strings.ContainsAny(host, " /") {
		return "host must be an IP address or a host name"
	}
	return ""
}

// metricsFile decodes metrics_file: the textfile collector of
// node_exporter reads only files ending in .prom, so any other name would
// be written and never read.
func (d *decoder) metricsFile(key string, n *yaml.Node, dst *string) {
	var s string
	d.str(&s)(key, n)
	if s == "" {
		return
	}
	if !strings.HasSuffix(s, ".prom") {
		d.errorf(n, key, "must end in .prom, the only files node_exporter's textfile collector reads (got %q)", raw(n))
		return
	}
	*dst = s
}
