package crawl

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"regexp"
	"strings"

	"golang.org/x/net/html/charset"
)

var (
	utf8BOM = []byte("\xEF\xBB\xBF")
	// xmlEncoding finds the encoding in an XML declaration.
	xmlEncoding = regexp.MustCompile(`^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']`)
)

// toParseable prepares a feed body for gofeed. The document's own
// declaration wins: gofeed's XML decoder already converts a declared
// non-UTF-8 encoding (through charset.NewReaderLabel), so such bodies pass
// unchanged and are not decoded twice. Without one, a Content-Type charset
// is applied here. What ends up as UTF-8 has stray invalid bytes replaced,
// because encoding/xml rejects the whole document for one bad byte.
func toParseable(body []byte, contentType string) ([]byte, error) {
	body = bytes.TrimPrefix(body, utf8BOM)
	if declared := declaredEncoding(body); declared != "" {
		if isUTF8(declared) {
			return bytes.ToValidUTF8(body, []byte("\uFFFD")), nil
		}
		if enc, _ := charset.Lookup(declared); enc == nil {
			return nil, fmt.Errorf("unknown encoding %q declared in the XML prolog", declared)
		}
		return body, nil
	}
	label := contentTypeCharset(contentType)
	if label != "" && !isUTF8(label) {
		decoded, err := decodeLabel(body, label)
		if err != nil {
			return nil, err
		}
		body = decoded
	}
	return bytes.ToValidUTF8(body, []byte("\uFFFD")), nil
}

// declaredEncoding returns the encoding named in an XML declaration.
func declaredEncoding(body []byte) string {
	m := xmlEncoding.FindSubmatch(body[:min(len(body), 512)])
	if m == nil {
		return ""
	}
	return string(m[1])
}

// contentTypeCharset returns the charset parameter of a Content-Type.
func contentTypeCharset(contentType string) string {
	if contentType == "" {
		return ""
	}
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(params["charset"])
}

func isUTF8(label string) bool {
	l := strings.ToLower(strings.TrimSpace(label))
	return l == "utf-8" || l == "utf8" || l == "us-ascii" || l == "ascii"
}

// decodeLabel converts body from the named encoding to UTF-8.
func decodeLabel(body []byte, label string) ([]byte, error) {
	r, err := charset.NewReaderLabel(label, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("unsupported charset %q in Content-Type: %w", label, err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("decode charset %q: %w", label, err)
	}
	return out, nil
}
