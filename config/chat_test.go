package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// chatEnv holds the tokens the chat testdata files take from the
// environment.
var chatEnv = map[string]string{
	"SLACK_TOKEN": "slack-env-token",
	"TG_TOKEN":    "123:tg-env-token",
	"MX_TOKEN":    "mx-env-token",
	"NTFY_TOKEN":  "tk_ntfy-env-token",
}

func chatOptions() Options {
	return Options{Getenv: func(k string) (string, bool) { v, ok := chatEnv[k]; return v, ok }}
}

// TestLoadChatSinks checks every chat sink's keys land in their fields,
// with tokens from the environment and from files, default names that
// hold no token, the default Telegram API, and topics: on every kind of
// sink.
func TestLoadChatSinks(t *testing.T) {
	c, err := Load("testdata/chat/good.yaml", chatOptions())
	if err != nil {
		t.Fatal(err)
	}
	a := c.Alerts
	wantSlack := []Slack{
		{ChatSink: ChatSink{Name: "slack hooks.slack.com/services/T0/B0", Topics: []string{"sputnik"}, Line: 18, TopicLines: []int{19}},
			URL: "https://hooks.slack.com/services/T0/B0/slack-env-token"},
		{ChatSink: ChatSink{Name: "media desk", Line: 20, Named: true}, URL: "https://hooks.slack.com/services/T1/B2/slack-file-token"},
	}
	if !reflect.DeepEqual(a.Slack, wantSlack) {
		t.Errorf("slack = %+v\nwant %+v", a.Slack, wantSlack)
	}
	wantDiscord := []Discord{{ChatSink: ChatSink{Name: "discord discord.com/api/webhooks/123", Line: 23},
		URL: "https://discord.com/api/webhooks/123/discord-token"}}
	if !reflect.DeepEqual(a.Discord, wantDiscord) {
		t.Errorf("discord = %+v\nwant %+v", a.Discord, wantDiscord)
	}
	wantTelegram := []Telegram{
		{ChatSink: ChatSink{Name: "telegram @azal_desk", Topics: []string{"azal"}, Line: 25, TopicLines: []int{27}},
			Token: "123:tg-env-token", Chat: "@azal_desk", API: "https://api.telegram.org"},
		{ChatSink: ChatSink{Name: "telegram -1001234", Line: 28}, Token: "tg-file-token-77", Chat: "-1001234", API: "http://127.0.0.1:8081"},
	}
	if !reflect.DeepEqual(a.Telegram, wantTelegram) {
		t.Errorf("telegram = %+v\nwant %+v", a.Telegram, wantTelegram)
	}
	wantMatrix := []Matrix{{ChatSink: ChatSink{Name: "matrix !abc:example.org", Topics: []string{"sputnik", "azal"}, Line: 32, TopicLines: []int{35, 35}},
		Homeserver: "https://matrix.example.org", Room: "!abc:example.org", Token: "mx-env-token"}}
	if !reflect.DeepEqual(a.Matrix, wantMatrix) {
		t.Errorf("matrix = %+v\nwant %+v", a.Matrix, wantMatrix)
	}
	wantNtfy := []Ntfy{
		{ChatSink: ChatSink{Name: "ntfy ntfy.sh/watcher-desk", Line: 37}, URL: "https://ntfy.sh/watcher-desk"},
		{ChatSink: ChatSink{Name: "ntfy ntfy.example.org/private", Line: 38},
			URL: "https://ntfy.example.org/private?auth=ntfy-query-secret", Token: "tk_ntfy-env-token"},
	}
	if !reflect.DeepEqual(a.Ntfy, wantNtfy) {
		t.Errorf("ntfy = %+v\nwant %+v", a.Ntfy, wantNtfy)
	}
	if got := a.Webhooks[0].Topics; !reflect.DeepEqual(got, []string{"azal"}) {
		t.Errorf("webhook topics = %q, want [azal]", got)
	}
	if got := a.Emails[0].Topics; !reflect.DeepEqual(got, []string{"sputnik"}) {
		t.Errorf("email topics = %q, want [sputnik] (a single id is a list of one)", got)
	}
	if n := a.Sinks(); n != 10 {
		t.Errorf("Sinks() = %d, want 10", n)
	}
	out := c.Redacted()
	for _, s := range append(mapValues(chatEnv), "slack-file-token", "tg-file-token-77", "discord-token", "ntfy-query-secret") {
		if strings.Contains(out, s) {
			t.Errorf("Redacted() shows %q:\n%s", s, out)
		}
	}
	if !strings.Contains(out, "topics:") || !strings.Contains(out, "chat: '@azal_desk'") {
		t.Errorf("Redacted() lost the routing or the chat:\n%s", out)
	}
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// TestLoadChatErrors checks each problem of a bad chat configuration is
// reported at its line, unknown topics in topics: included, and that no
// token shows in the errors.
func TestLoadChatErrors(t *testing.T) {
	_, err := Load("testdata/chat/bad.yaml", chatOptions())
	if err == nil {
		t.Fatal("bad.yaml loaded, want errors")
	}
	want := []string{
		`bad.yaml:8: alerts.webhook[0].topics[1]: unknown topic "azal" (the topics are sputnik)`,
		`bad.yaml:13: alerts.email[0].topics[1]: topic "sputnik" listed twice (first at line 13)`,
		`bad.yaml:15: alerts.slack[0].url: scheme must be http or https (got "ftp")`,
		`bad.yaml:17: alerts.slack[1].url_file: give url or url_file, not both`,
		`bad.yaml:21: alerts: two alerts named "desk" (first at line 19); give one a different name`,
		`bad.yaml:24: alerts.telegram[0].token: required`,
		`bad.yaml:25: alerts.telegram[1].token: must not contain /, ?, #, % or spaces`,
		`bad.yaml:27: alerts.telegram[1].colour: unknown key`,
		`bad.yaml:30: alerts.matrix[0].room: must be a room id such as "!abc:example.org" (got "#alias:example.org")`,
		`bad.yaml:33: alerts.ntfy[0].url: must name a topic, such as https://ntfy.sh/desk`,
		`bad.yaml:34: alerts.ntfy[0].topics[0]: unknown topic "nothing" (the topics are sputnik)`,
	}
	got := strings.Split(err.Error(), "\n")
	for i := range got {
		got[i] = strings.TrimPrefix(got[i], "testdata/chat/")
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestShippedAlertExamples uncomments the shipped config.yaml's alerts
// examples (the commented lines after "alerts: {}", up to the first blank
// line), as a user would, and checks they load: every key spelt
// right, every topic in topics: one the file defines.
func TestShippedAlertExamples(t *testing.T) {
	data, err := os.ReadFile("../config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	head, examples, ok := strings.Cut(string(data), "\nalerts: {}\n")
	if !ok {
		t.Fatal("config.yaml has no \"alerts: {}\" line")
	}
	var b strings.Builder
	b.WriteString(head + "\nalerts:\n")
	examples, _, _ = strings.Cut(examples, "\n\n") // the alerts examples end at the first blank line
	for _, l := range strings.Split(examples, "\n") {
		if rest, ok := strings.CutPrefix(l, "#"); ok {
			b.WriteString(rest + "\n")
		}
	}
	env := func(string) (string, bool) { return "from-env", true }
	// The templates the examples name, as the user would write them.
	dir := t.TempDir()
	for _, name := range []string{"desk.txt.tmpl", "desk.html.tmpl"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("{{.Subject}}\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path, Options{Getenv: env})
	if err != nil {
		t.Fatalf("%v\n%s", err, examples)
	}
	a := c.Alerts
	if len(a.Webhooks) != 1 || len(a.Emails) != 1 || len(a.Slack) != 1 || len(a.Discord) != 1 ||
		len(a.Telegram) != 1 || len(a.Matrix) != 1 || len(a.Ntfy) != 1 {
		t.Errorf("examples load as %+v, want one sink of each kind", a)
	}
}
