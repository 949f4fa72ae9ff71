package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"

	"github.com/watcher-news/watcher/match"
	"github.com/watcher-news/watcher/watch"
)

// matchInput is one line of `watcher match` input, as in the corpus.
type matchInput struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Summary   string `json:"summary"`
	Body      string `json:"body"`
	Lang      string `json:"lang"`
	Source    string `json:"source"`
	Published string `json:"published"`
}

// matchOutput is one line of `watcher match` output.
type matchOutput struct {
	ID     string   `json:"id"`
	Topics []string `json:"topics"`
}

// maxLine bounds one input line; a longer one is reported and skipped.
const maxLine = 16 << 20

// runMatch matches JSON lines from stdin against the configured topics and
// writes one JSON line per item. A line that is not valid JSON is reported
// on stderr with its line number and the rest are still matched; the exit
// code is then 1.
func runMatch(g globals, stdin io.Reader, stdout, stderr io.Writer) int {
	cfg, err := loadConfig(g.config)
	if err != nil {
		return configError(stderr, err)
	}
	m, err := watch.CompileTopics(cfg)
	if err != nil {
		return configError(stderr, err)
	}
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	code := exitOK
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		if len(line) == 0 {
			continue
		}
		var in matchInput
		if err := json.Unmarshal(line, &in); err != nil {
			fmt.Fprintf(stderr, "watcher: stdin:%d: %v\n", n, err)
			code = exitFailed
			continue
		}
		it := match.Item{Title: in.Title, Summary: in.Summary, Body: in.Body, Lang: in.Lang, Source: in.Source}
		if g.explain {
			fmt.Fprintf(out, "== %s: %s\n", in.ID, in.Title)
			for _, e := range m.Explain(it) {
				fmt.Fprintln(out, e.String())
			}
			continue
		}
		res := matchOutput{ID: in.ID, Topics: []string{}}
		for _, h := range m.Match(it) {
			res.Topics = append(res.Topics, h.Topic)
		}
		if err := enc.Encode(res); err != nil {
			fmt.Fprintf(stderr, "watcher: write: %v\n", err)
			return exitFailed
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintf(stderr, "watcher: stdin: %v\n", err)
		return exitFailed
	}
	return code
}

// configError prints a configuration error, one problem a line (an
// errors.Join prints its errors a line each), and gives the usage code.
func configError(w io.Writer, err error) int {
	fmt.Fprintln(w, err)
	return exitUsage
}
