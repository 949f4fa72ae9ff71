package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// floor is the least any watcher must do: download every feed, with the
// same concurrency bounds and conditional headers, and read the body. No
// parsing, no state, no matching. It reads the sources written in the
// watcher's configuration, so both spread their requests over the same
// hosts, within the same global and per-host bounds.
type floor struct {
	urls    []string
	client  *http.Client
	global  chan struct{}
	perHost map[string]chan struct{}
	mu      sync.Mutex
	etags   map[string]string
	lastMod map[string]string
}

func newFloor(b bounds) *floor {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
		MaxIdleConnsPerHost: b.perHost,
		IdleConnTimeout:     90 * time.Second,
	}
	f := &floor{
		urls:    b.urls,
		client:  &http.Client{Transport: tr, Timeout: time.Minute},
		global:  make(chan struct{}, b.concurrency),
		perHost: map[string]chan struct{}{},
		etags:   map[string]string{},
		lastMod: map[string]string{},
	}
	for _, u := range b.urls {
		pu, _ := url.Parse(u)
		if f.perHost[pu.Host] == nil {
			f.perHost[pu.Host] = make(chan struct{}, b.perHost)
		}
	}
	return f
}

// cycle downloads every feed once and returns the wall time.
func (f *floor) cycle(ctx context.Context) (time.Duration, error) {
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, len(f.urls))
	for _, u := range f.urls {
		wg.Go(func() {
			if err := f.get(ctx, u); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		return 0, err
	}
	return time.Since(start), nil
}

func (f *floor) get(ctx context.Context, u string) error {
	pu, _ := url.Parse(u)
	host := f.perHost[pu.Host]
	host <- struct{}{}
	defer func() { <-host }()
	f.global <- struct{}{}
	defer func() { <-f.global }()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	f.mu.Lock()
	if e := f.etags[u]; e != "" {
		req.Header.Set("If-None-Match", e)
	}
	if lm := f.lastMod[u]; lm != "" {
		req.Header.Set("If-Modified-Since", lm)
	}
	f.mu.Unlock()
	resp, err := f.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	switch resp.StatusCode {
	case http.StatusOK:
		f.mu.Lock()
		f.etags[u], f.lastMod[u] = resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
		f.mu.Unlock()
	case http.StatusNotModified:
	default:
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return nil
}
