package crawl

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
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
			return validUTF8(body), nil
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
		return validUTF8(decoded), nil
	}
	return validUTF8(body), nil
}

// validUTF8 returns body as valid UTF-8. A stray invalid byte costs one
// character. A body that is mostly not UTF-8 at all, with the byte pattern
// of Cyrillic text in windows-1251 or KOI8-R (a regional site whose
// template says UTF-8 while its database writes a legacy charset), is
// decoded from that charset instead of becoming a row of U+FFFD.
func validUTF8(body []byte) []byte {
	if utf8.Valid(body) {
		return body
	}
	if enc := legacyCyrillic(body); enc != nil {
		if out, err := enc.NewDecoder().Bytes(body); err == nil {
			return out
		}
	}
	return bytes.ToValidUTF8(body, []byte("\uFFFD"))
}

// legacyCyrillic guesses windows-1251 or KOI8-R for a body whose invalid
// UTF-8 outnumbers its valid multi-byte characters and whose high bytes
// are nearly all Cyrillic letters in both: lower case is the most common,
// and it lies at 0xE0-0xFF in windows-1251 and at 0xC0-0xDF in KOI8-R.
func legacyCyrillic(body []byte) encoding.Encoding {
	var invalid, multi int
	for i := 0; i < len(body); {
		r, n := utf8.DecodeRune(body[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			invalid++
		case n > 1:
			multi++
		}
		i += n
	}
	high, upperHalf, lowerHalf := highBytes(body)
	letters := upperHalf + lowerHalf
	switch {
	case invalid < 16 || invalid <= multi || letters*10 < high*9:
		return nil
	case lowerHalf >= 2*upperHalf:
		return charmap.Windows1251
	case upperHalf >= 2*lowerHalf:
		return charmap.KOI8R
	}
	return nil
}

// highBytes counts the bytes above 0x7F, and among them those in
// 0xC0-0xDF and in 0xE0-0xFF.
func highBytes(body []byte) (high, upperHalf, lowerHalf int) {
	for _, c := range body {
		switch {
		case c >= 0xE0:
			lowerHalf++
		case c >= 0xC0:
			upperHalf++
		}
		if c >= 0x80 {
			high++
		}
	}
	return high, upperHalf, lowerHalf
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
