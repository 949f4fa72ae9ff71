package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/watcher-news/watcher/config"
	"github.com/watcher-news/watcher/serve"
)

// statusTimeout bounds the question to the daemon: its /status answers
// from memory, so a slow answer means something is wrong, and the state
// file is the better source then.
const statusTimeout = 3 * time.Second

// statusFromDaemon asks the daemon listening at http.listen for its
// status. ok is false when there is no listener configured or reachable
// (nothing is said: the daemon is simply not running) or its answer is
// unusable (a warning says why); the caller then reads the state file.
func statusFromDaemon(cfg *config.Config, stderr io.Writer) (st serve.Status, from string, ok bool) {
	from = statusURL(cfg.HTTP.Listen)
	if from == "" {
		return st, "", false
	}
	st, err := fetchStatus(from)
	switch {
	case err == nil:
		return st, from, true
	case errors.Is(err, syscall.ECONNREFUSED):
	default:
		fmt.Fprintf(stderr, "watcher: status from the daemon: %v; reading the state file instead\n", err)
	}
	return st, "", false
}

// statusURL is where the daemon listening at listen serves /status, or ""
// when it cannot be known (no listener, or a port picked at random). A
// listener on every interface is asked on loopback.
func statusURL(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if listen == "" || err != nil || port == "0" {
		return ""
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
		if ip != nil && ip.To4() == nil {
			host = "::1"
		}
	}
	return "http://" + net.JoinHostPort(host, port) + "/status"
}

func fetchStatus(url string) (serve.Status, error) {
	var st serve.Status
	ctx, cancel := context.WithTimeout(context.Background(), statusTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return st, err
	}
	req.Header.Set("Accept", "application/json")
	// No proxy: the daemon is on this machine or its network.
	client := &http.Client{Transport: &http.Transport{Proxy: nil}}
	resp, err := client.Do(req)
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return st, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 16<<20)).Decode(&st); err != nil {
		return st, fmt.Errorf("GET %s: decode: %w", url, err)
	}
	return st, nil
}
