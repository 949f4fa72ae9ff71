package serve

import "html/template"

// statusPage is /status as HTML: the table `watcher status` prints.
var statusPage = template.Must(template.New("status").Funcs(template.FuncMap{"when": When, "dash": dash}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>watcher status</title>
<style>body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}</style>
</head><body>
<h1>watcher status</h1>
<p>As of {{when .Taken}}.</p>
<table id="sources">
<tr><th>Source</th><th>Seen</th><th>Last success</th><th>Failures</th><th>Next attempt</th><th>Last error</th><th>Note</th></tr>
{{range .Sources}}<tr><td>{{.Name}}</td><td>{{.Seen}}</td><td>{{when .LastSuccess}}</td><td>{{.Failures}}</td><td>{{when .NextAttempt}}</td><td>{{dash .LastError}}</td><td>{{dash .Note}}</td></tr>
{{end}}</table>
<p id="state">State {{.State.Path}}: {{.State.Seen}} seen items, {{.State.FileSize}} bytes; digests: {{.State.Pending}} pending, {{.State.Held}} held for a schedule, {{.State.Parked}} parked, {{.State.Delivered}} delivered.</p>
{{if .Digests}}<table id="digests">
<tr><th>Digest</th><th>Created</th><th>Sink</th><th>Status</th><th>Attempts</th><th>Last error</th></tr>
{{range .Digests}}<tr><td>{{.ID}}</td><td>{{when .Created}}</td><td>{{.Sink}}</td><td>{{.Status}}</td><td>{{.Attempts}}</td><td>{{dash .LastError}}</td></tr>
{{end}}</table>{{end}}
</body></html>
`))

// indexPage lists the endpoints and the feeds.
var indexPage = template.Must(template.New("index").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>watcher</title>
<link rel="alternate" type="application/atom+xml" title="watcher: latest matches" href="/feed.atom">
</head><body>
<h1>watcher</h1>
<ul>
<li><a href="/status">/status</a>: source health and pending digests</li>
<li><a href="/healthz">/healthz</a>: 200 while cycles succeed</li>
<li><a href="/metrics">/metrics</a>: Prometheus metrics</li>
<li><a href="/feed.atom">/feed.atom</a>: the latest matches of every topic</li>
{{range .}}<li><a href="/feed/{{.ID}}.atom">/feed/{{.ID}}.atom</a>: {{.Title}}</li>
{{end}}</ul>
</body></html>
`))
