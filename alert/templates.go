package alert

import (
	"fmt"
	htmltemplate "html/template"
	"log/slog"
	"os"
	"strings"
	texttemplate "text/template"
)

// maxTemplateFile bounds a template file read: templates are small, and
// a mistaken path must not be read whole.
const maxTemplateFile = 1 << 20

// Templates are a user's own text and HTML templates, executed over the
// same data as the built-in ones (see README, "Templates"). A nil
// *Templates, or a nil half, renders with the built-in template. A
// template that fails when executed does not lose the digest: it is
// rendered with the built-in template instead, and the failure logged.
type Templates struct {
	text               *texttemplate.Template
	html               *htmltemplate.Template
	textFile, htmlFile string
	log                *slog.Logger
}

// ParseTemplates reads and parses the named files; either may be empty.
// A parse error names the file and line. log receives the fallbacks to the
// built-in templates at send time; nil discards them.
func ParseTemplates(textFile, htmlFile string, log *slog.Logger) (*Templates, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	t := &Templates{textFile: textFile, htmlFile: htmlFile, log: log}
	if textFile != "" {
		src, err := readTemplate(textFile)
		if err == nil {
			t.text, err = texttemplate.New(textFile).Option("missingkey=error").Parse(src)
		}
		if err != nil {
			return nil, fmt.Errorf("text template: %w", err)
		}
	}
	if htmlFile != "" {
		src, err := readTemplate(htmlFile)
		if err == nil {
			t.html, err = htmltemplate.New(htmlFile).Option("missingkey=error").Parse(src)
		}
		if err != nil {
			return nil, fmt.Errorf("html template: %w", err)
		}
	}
	return t, nil
}

// ValidateTemplate parses one template file of kind "text" or "html", for
// configuration checks. Its error reads like "template: FILE:LINE: ...".
func ValidateTemplate(kind, path string) error {
	var err error
	switch kind {
	case "text":
		_, err = ParseTemplates(path, "", nil)
	case "html":
		_, err = ParseTemplates("", path, nil)
	default:
		err = fmt.Errorf("unknown template kind %q", kind)
	}
	return err
}

func readTemplate(path string) (string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("read template: %w", err)
	}
	if info.Size() > maxTemplateFile {
		return "", fmt.Errorf("read template %s: larger than %d bytes", path, maxTemplateFile)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read template: %w", err)
	}
	return string(data), nil
}

// Text renders d as plain text with the user's template, or the built-in
// one. err is the custom template's failure, already logged; the text
// returned is then the built-in rendering, so it can always be sent.
func (t *Templates) Text(d Digest) (string, error) {
	if t == nil || t.text == nil {
		return RenderText(d), nil
	}
	var b strings.Builder
	if err := t.text.Execute(&b, newView(d)); err != nil {
		err = fmt.Errorf("digest %s: execute text template: %w", clean(d.ID), err)
		t.log.Error("custom template failed; digest rendered with the built-in template", "template", t.textFile, "digest", d.ID, "err", err)
		return RenderText(d), err
	}
	return b.String(), nil
}

// HTML renders d as HTML with the user's template, or the built-in one,
// falling back as Text does. html/template escapes every value.
func (t *Templates) HTML(d Digest) (string, error) {
	if t == nil || t.html == nil {
		return RenderHTML(d)
	}
	var b strings.Builder
	if err := t.html.Execute(&b, newView(d)); err != nil {
		err = fmt.Errorf("digest %s: execute html template: %w", clean(d.ID), err)
		t.log.Error("custom template failed; digest rendered with the built-in template", "template", t.htmlFile, "digest", d.ID, "err", err)
		out, berr := RenderHTML(d)
		if berr != nil {
			return "", berr
		}
		return out, err
	}
	return b.String(), nil
}

// JSON returns the digest as the webhook's JSON body, for previews.
func JSON(d Digest) ([]byte, error) {
	return encodePayload(d)
}
