package watch

import (
	"fmt"

	"github.com/watcher-news/watcher/alert"
	"github.com/watcher-news/watcher/config"
	"github.com/watcher-news/watcher/crawl"
)

// userAgent names the watcher and its version to the servers it reads.
func userAgent(cfg *config.Config, version string) string {
	if cfg.UserAgent != "" {
		return cfg.UserAgent
	}
	if version == "" {
		version = "dev"
	}
	return "watcher/" + version + " (+https://github.com/watcher-news/watcher)"
}

// newFetcher maps the fetch settings onto the crawler. The hosts of the
// configured sources are the only ones allowed to resolve to loopback or
// private addresses: the operator named them, a feed or a redirect did not.
func newFetcher(cfg *config.Config, opts Options) (*crawl.Fetcher, error) {
	robots := cfg.Fetch.Robots
	if opts.Robots != nil {
		robots = *opts.Robots
	}
	return crawl.New(crawl.Options{
		UserAgent:      userAgent(cfg, opts.Version),
		Timeout:        cfg.Fetch.Timeout,
		ConnectTimeout: cfg.Fetch.ConnectTimeout,
		MaxBody:        cfg.Fetch.MaxBody,
		MaxItems:       cfg.Fetch.MaxItems,
		MaxArticles:    cfg.Fetch.MaxArticles,
		Concurrency:    cfg.Fetch.Concurrency,
		PerHost:        cfg.Fetch.PerHost,
		HostDelay:      cfg.Fetch.HostDelay,
		PageDelay:      cfg.Fetch.PageDelay,
		MaxRetryAfter:  cfg.Fetch.MaxBackoff,
		AllowHosts:     cfg.SourceHosts(),
		Robots:         robots,
		Now:            opts.Now,
		Logger:         opts.Logger,
	})
}

// newSinks builds one notifier per configured webhook, email and chat sink, or the
// standard-output writer when none is configured.
func newSinks(cfg *config.Config, opts Options) ([]alert.Notifier, error) {
	var sinks []alert.Notifier
	for _, h := range cfg.Alerts.Webhooks {
		n, err := alert.NewWebhook(alert.WebhookOptions{
			URL:       h.URL,
			Secret:    h.Secret,
			Timeout:   cfg.Delivery.Timeout,
			UserAgent: userAgent(cfg, opts.Version),
		})
		if err != nil {
			return nil, fmt.Errorf("%s:%d: webhook: %w", cfg.File, h.Line, err)
		}
		sinks = append(sinks, n)
	}
	for _, e := range cfg.Alerts.Emails {
		n, err := alert.NewEmail(alert.EmailOptions{
			To:       e.To,
			From:     e.From,
			Subject:  e.Subject,
			Host:     e.SMTP.Host,
			Port:     e.SMTP.Port,
			Username: e.SMTP.Username,
			Password: e.SMTP.Password,
			TLS:      e.SMTP.TLS,
			Timeout:  cfg.Delivery.Timeout,
		})
		if err != nil {
			return nil, fmt.Errorf("%s:%d: email: %w", cfg.File, e.Line, err)
		}
		sinks = append(sinks, n)
	}
	chat, err := newChatSinks(cfg, opts)
	if err != nil {
		return nil, err
	}
	sinks = append(sinks, chat...)
	if len(sinks) == 0 {
		sinks = append(sinks, alert.NewWriter(opts.Stdout))
	}
	return sinks, nil
}
