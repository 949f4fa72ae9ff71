package config

import (
	"path/filepath"
	"testing"
)

// TestLoadHTTP checks the listener and the metrics file land in their
// fields, and are off by default.
func TestLoadHTTP(t *testing.T) {
	c, err := Load("testdata/http_good.yaml", testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTP.Listen != "127.0.0.1:9310" || c.MetricsFile != "/var/lib/node_exporter/textfile/watcher.prom" {
		t.Errorf("http = %+v, metrics_file = %q", c.HTTP, c.MetricsFile)
	}
	c, err = Load("testdata/good_minimal.yaml", testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTP.Listen != "" || c.MetricsFile != "" {
		t.Errorf("by default http = %+v, metrics_file = %q; want both off", c.HTTP, c.MetricsFile)
	}
}

// TestLoadHTTPErrors checks each bad listener or metrics file setting is
// reported at its line.
func TestLoadHTTPErrors(t *testing.T) {
	tests := []struct {
		name string
		want []string
	}{
		{name: "http_bad", want: []string{
			`http_bad.yaml:2: http.listen: expected host:port such as 127.0.0.1:9310 (got "9310")`,
			`http_bad.yaml:3: http.port: unknown key`,
			`http_bad.yaml:4: metrics_file: must end in .prom, the only files node_exporter's textfile collector reads (got "/var/lib/node_exporter/textfile/watcher.txt")`,
		}},
		{name: "http_badport", want: []string{
			`http_badport.yaml:1: http.listen: port must be a number from 0 to 65535 (got "localhost:http-alt")`,
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join("testdata", tc.name+".yaml")
			_, err := Load(path, testOptions())
			if err == nil {
				t.Fatalf("Load(%s): no error", path)
			}
			got := splitErrors(err)
			if len(got) != len(tc.want) {
				t.Errorf("got %d errors, want %d:\n%v", len(got), len(tc.want), err)
			}
			for i := 0; i < len(got) && i < len(tc.want); i++ {
				if want := "testdata/" + tc.want[i]; got[i].Error() != want {
					t.Errorf("error %d:\n got: %s\nwant: %s", i, got[i], want)
				}
			}
		})
	}
}
