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
	return newFetcherPaced(cfg, opts, nil)
}

// newFetcherPaced is newFetcher with the pauses of each host shared
// through pacer (nil: kept within this process).
func newFetcherPaced(cfg *config.Config, opts Options, pacer crawl.Pacer) (*crawl.Fetcher, error) {
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
		Pacer:          pacer,
		Now:            opts.Now,
		Logger:         opts.Logger,
	})
}

// newSinks builds one notifier per configured webhook, email and chat
// sink, or the standard-output writer when none is configured, and the
// digest policy of each sink that has one, by sink name.
func newSinks(cfg *config.Config, opts Options) ([]alert.Notifier, map[string]*policy, error) {
	var sinks []alert.Notifier
	policies := map[string]*policy{}
	for _, h := range cfg.Alerts.Webhooks {
		pol, _, err := sinkSetup(cfg, h.SinkPolicy, opts.Logger)
		if err != nil {
			return nil, nil, err
		}
		n, err := alert.NewWebhook(alert.WebhookOptions{
			URL:       h.URL,
			Secret:    h.Secret,
			Timeout:   cfg.Delivery.Timeout,
			UserAgent: userAgent(cfg, opts.Version),
		})
		if err != nil {
			return nil, nil, fmt.Errorf("%s:%d: webhook: %w", cfg.File, h.Line, err)
		}
		s := named(n, h.Named, h.Name)
		sinks = append(sinks, s)
		policies[s.Name()] = pol
	}
	for _, e := range cfg.Alerts.Emails {
		pol, tmpl, err := sinkSetup(cfg, e.SinkPolicy, opts.Logger)
		if err != nil {
			return nil, nil, err
		}
		n, err := alert.NewEmail(alert.EmailOptions{
			To:        e.To,
			From:      e.From,
			Subject:   e.Subject,
			Host:      e.SMTP.Host,
			Port:      e.SMTP.Port,
			Username:  e.SMTP.Username,
			Password:  e.SMTP.Password,
			TLS:       e.SMTP.TLS,
			Timeout:   cfg.Delivery.Timeout,
			Templates: tmpl,
		})
		if err != nil {
			return nil, nil, fmt.Errorf("%s:%d: email: %w", cfg.File, e.Line, err)
		}
		s := named(n, e.Named, e.Name)
		sinks = append(sinks, s)
		policies[s.Name()] = pol
	}
	chat, err := newChatSinks(cfg, opts, policies)
	if err != nil {
		return nil, nil, err
	}
	sinks = append(sinks, chat...)
	if len(sinks) == 0 {
		pol, tmpl, err := sinkSetup(cfg, config.SinkPolicy{}, opts.Logger)
		if err != nil {
			return nil, nil, err
		}
		wr := alert.NewWriter(opts.Stdout).WithTemplates(tmpl)
		sinks = append(sinks, wr)
		policies[wr.Name()] = pol
	}
	return sinks, policies, nil
}
