package crawl

import (
	"bytes"
	"fmt"
	"mime"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

var (
	utf8BOM = []byte("\xEF\xBB\xBF")
	// xmlEncoding finds the encoding in an XML declaration.
	xmlEncoding = regexp.MustCompile(`^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']`)
)

// toParseable prepares a feed body for gofeed: UTF-8 throughout, with no
// character XML 1.0 forbids. We decode every charset here, UTF-16 included
// (gofeed would reject it as not a feed), and the XML declaration is then
// made to say UTF-8, so gofeed's XML decoder does not decode it again.
//
// A declared charset (the XML prolog's, else the Content-Type's) is
// trusted only when the bytes agree: a body that is valid UTF-8 and holds
// multi-byte characters is UTF-8 whatever it says (a legacy charset's
// letters, such as windows-1251's Cyrillic, make invalid UTF-8 within a
// word or two), and a UTF-16 label on a body without UTF-16's zero bytes
// is a template's mistake. What is read as UTF-8 has stray invalid bytes
// replaced, because encoding/xml rejects the whole document for one bad
// byte.
func toParseable(body []byte, contentType string) ([]byte, error) {
	data, err := toUTF8(body, contentType)
	if err != nil {
		return nil, err
	}
	return xmlChars(data), nil
}

// toUTF8 converts a feed body to UTF-8 (see toParseable).
func toUTF8(body []byte, contentType string) ([]byte, error) {
	if enc := utf16Of(body); enc != nil {
		out, err := enc.NewDecoder().Bytes(body)
		if err != nil {
			return nil, fmt.Errorf("decode UTF-16: %w", err)
		}
		return declareUTF8(out), nil
	}
	body = bytes.TrimPrefix(body, utf8BOM)
	prolog := declaredEncoding(body)
	label, where := prolog, "XML prolog"
	if label == "" {
		label, where = contentTypeCharset(contentType), "Content-Type"
	}
	if label == "" || isUTF8(label) || isUTF16(label) || looksUTF8(body) {
		out := validUTF8(body)
		if prolog != "" && !isUTF8(prolog) {
			out = declareUTF8(out)
		}
		return out, nil
	}
	enc, _ := charset.Lookup(label)
	if enc == nil {
		return nil, fmt.Errorf("unknown encoding %q declared in the %s", label, where)
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return nil, fmt.Errorf("decode charset %q: %w", label, err)
	}
	return declareUTF8(out), nil
}

// utf16Of returns the UTF-16 decoding of a body that starts with a UTF-16
// byte order mark, or (without one) with a character of the ASCII range
// followed or preceded by a zero byte, as an XML declaration, a '<' or a
// JSON '{' do in UTF-16 (XML 1.0 Appendix F, RFC 8259 §8.1); nil for any
// other body.
func utf16Of(body []byte) encoding.Encoding {
	if len(body) < 4 {
		return nil
	}
	b0, b1, b2, b3 := body[0], body[1], body[2], body[3]
	switch {
	case b0 == 0xFE && b1 == 0xFF:
		return unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM)
	case b0 == 0xFF && b1 == 0xFE && (b2 != 0 || b3 != 0): // not UTF-32's FF FE 00 00
		return unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM)
	case b0 == 0 && b1 != 0 && b1 < 0x80 && b2 == 0 && b3 != 0:
		return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)
	case b0 != 0 && b0 < 0x80 && b1 == 0 && b2 != 0 && b3 == 0:
		return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	}
	return nil
}

// looksUTF8 reports a body that is valid UTF-8 and holds at least one
// multi-byte character: text in a legacy charset almost never is.
func looksUTF8(body []byte) bool {
	for _, c := range body {
		if c >= 0x80 {
			return utf8.Valid(body)
		}
	}
	return false
}

// declareUTF8 makes the XML declaration of a UTF-8 body, if it names an
// encoding, name UTF-8.
func declareUTF8(body []byte) []byte {
	m := xmlEncoding.FindSubmatchIndex(body[:min(len(body), 512)])
	if m == nil || isUTF8(string(body[m[2]:m[3]])) {
		return body
	}
	out := make([]byte, 0, len(body))
	out = append(out, body[:m[2]]...)
	out = append(out, "UTF-8"...)
	return append(out, body[m[3]:]...)
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

func isUTF16(label string) bool {
	return strings.HasPrefix(strings.ToLower(strings.TrimSpace(label)), "utf-16")
}

func isUTF8(label string) bool {
	l := strings.ToLower(strings.TrimSpace(label))
	return l == "utf-8" || l == "utf8" || l == "us-ascii" || l == "ascii"
}
