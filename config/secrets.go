package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// maxSecretFile bounds what a *_file key may read: secrets are short, and
// a mistaken path (a log, a device) must not be read whole.
const maxSecretFile = 64 << 10

// secretFile fills *dst from the file named by the mapping's name_file
// key, if given, checking that name and name_file are not both set.
// Relative paths are relative to the configuration file's directory.
func (d *decoder) secretFile(n *yaml.Node, key, name string, dst *string, path string) {
	fileKey := name + "_file"
	if has(n, name) && has(n, fileKey) {
		d.errorf(valueNode(n, fileKey), joinKey(key, fileKey), "give %s or %s, not both", name, fileKey)
		return
	}
	if path == "" {
		return
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(d.dir, path)
	}
	s, err := readSecret(path)
	if err != nil {
		d.errorf(valueNode(n, fileKey), joinKey(key, fileKey), "%v", err)
		return
	}
	*dst = s
}

// readSecret returns the trimmed contents of a regular file of at most
// maxSecretFile bytes. Its errors name the file, never its contents.
func readSecret(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("read secret: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	switch {
	case err != nil:
		return "", fmt.Errorf("read secret: %w", err)
	case !info.Mode().IsRegular():
		return "", fmt.Errorf("read secret %s: not a regular file", path)
	case info.Size() > maxSecretFile:
		return "", fmt.Errorf("read secret %s: larger than %d bytes", path, maxSecretFile)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	if err != nil {
		return "", fmt.Errorf("read secret %s: %w", path, err)
	}
	s := strings.TrimSpace(string(data))
	if s == "" {
		return "", fmt.Errorf("read secret %s: %w", path, errEmptySecret)
	}
	return s, nil
}

// errEmptySecret reports a secret file holding only white space.
var errEmptySecret = errors.New("file is empty")
