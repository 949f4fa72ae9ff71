package config

import (
	"bytes"
	"fmt"
	"regexp"
	"unicode/utf8"
)

// go-yaml reports some problems of the raw text without a position: a
// byte that is not UTF-8, a control character, an alias to an anchor that
// was never defined. locate finds the line of such an error in data, so
// that every configuration error names its line; it leaves e as it is
// when it cannot tell.
func locate(data []byte, e *Error) {
	if e.Line > 0 {
		return
	}
	switch {
	case e.Msg == "yaml: invalid leading UTF-8 octet" || e.Msg == "yaml: invalid trailing UTF-8 octet" ||
		e.Msg == "yaml: incomplete UTF-8 octet sequence" || e.Msg == "yaml: invalid Unicode character":
		if off := firstInvalidUTF8(data); off >= 0 {
			e.Line = lineAt(data, off)
			e.Msg = "yaml: the file is not valid UTF-8 (save it as UTF-8)"
		}
	case e.Msg == "yaml: control characters are not allowed":
		if off := firstControl(data); off >= 0 {
			e.Line = lineAt(data, off)
			r, _ := utf8.DecodeRune(data[off:])
			e.Msg = fmt.Sprintf("yaml: control character %U is not allowed", r)
		}
	default:
		if m := unknownAnchor.FindStringSubmatch(e.Msg); m != nil {
			if off := aliasOffset(data, m[1]); off >= 0 {
				e.Line = lineAt(data, off)
			}
		}
	}
}

// unknownAnchor matches go-yaml's message for an alias without an anchor.
var unknownAnchor = regexp.MustCompile(`^yaml: unknown anchor '(.*)' referenced$`)

// firstInvalidUTF8 returns the offset of the first byte that does not
// start a valid UTF-8 sequence, or -1.
func firstInvalidUTF8(data []byte) int {
	for off := 0; off < len(data); {
		r, n := utf8.DecodeRune(data[off:])
		if r == utf8.RuneError && n <= 1 {
			return off
		}
		off += n
	}
	return -1
}

// firstControl returns the offset of the first character YAML does not
// allow in a document (YAML 1.2 §5.1: only tab, line feed, carriage
// return and printable characters), or -1.
func firstControl(data []byte) int {
	for off := 0; off < len(data); {
		r, n := utf8.DecodeRune(data[off:])
		switch {
		case r == '\t' || r == '\n' || r == '\r' || r == 0x85:
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == 0xfffe || r == 0xffff:
			return off
		}
		off += n
	}
	return -1
}

// aliasOffset returns the offset of the first alias *name in data, or -1.
func aliasOffset(data []byte, name string) int {
	pat := []byte("*" + name)
	for off := 0; ; {
		i := bytes.Index(data[off:], pat)
		if i < 0 {
			return -1
		}
		end := off + i + len(pat)
		if end == len(data) || bytes.IndexByte([]byte(" \t\r\n,]}"), data[end]) >= 0 {
			return off + i
		}
		off = end
	}
}

// lineAt returns the 1-based line of offset off.
func lineAt(data []byte, off int) int {
	return bytes.Count(data[:off], []byte("\n")) + 1
}

// positioned adds a line to a syntax error that has none, where it can.
func positioned(data []byte, err error) error {
	if e, ok := err.(*Error); ok {
		locate(data, e)
	}
	return err
}
