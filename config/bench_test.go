package config

import (
	"os"
	"testing"
)

// BenchmarkParse parses the shipped configuration.
func BenchmarkParse(b *testing.B) {
	data, err := os.ReadFile("../config.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse(data, "config.yaml", Options{Getenv: noEnv}); err != nil {
			b.Fatal(err)
		}
	}
}
