package crawl

import (
	"bytes"
	"encoding/binary"
	"strconv"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// scanMarkup reads the markup that starts at body[start] == '<' and
// returns the offset just past it and its effect on the nesting depth:
// +1 for a start tag, -1 for an end tag, 0 for anything else (an empty
// element, a comment, CDATA, a processing instruction, a declaration).
func scanMarkup(body []byte, start int) (end, delta int) {
	rest := body[start:]
	switch {
	case bytes.HasPrefix(rest, []byte("<!--")):
		return skipPast(body, start+4, "-->"), 0
	case bytes.HasPrefix(rest, []byte("<![CDATA[")):
		return skipPast(body, start+9, "]]>"), 0
	case bytes.HasPrefix(rest, []byte("<?")):
		return skipPast(body, start+2, "?>"), 0
	case bytes.HasPrefix(rest, []byte("<!")):
		return skipDeclaration(body, start+2), 0
	case bytes.HasPrefix(rest, []byte("</")):
		return skipPast(body, start+2, ">"), -1
	case len(rest) < 2 || !nameStart(rest[1]):
		return start + 1, 0 // a stray '<' in lenient text, not a tag
	}
	end, selfClosing := skipTag(body, start+1)
	if selfClosing {
		return end, 0
	}
	return end, 1
}

// nameStart reports a byte that may begin an element name (any non-ASCII
// byte may, as part of a multi-byte letter).
func nameStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':' || c >= 0x80
}

// skipPast returns the offset just past the first sep at or after from,
// or len(body) when there is none.
func skipPast(body []byte, from int, sep string) int {
	if k := bytes.Index(body[from:], []byte(sep)); k >= 0 {
		return from + k + len(sep)
	}
	return len(body)
}

// skipTag returns the offset just past a start tag's '>' (quoted
// attribute values may hold '>') and whether it ended with "/>".
func skipTag(body []byte, from int) (int, bool) {
	var quote byte
	for i := from; i < len(body); i++ {
		c := body[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return i + 1, i > from && body[i-1] == '/'
		}
	}
	return len(body), false
}

// skipDeclaration returns the offset just past a directive (<!DOCTYPE …>,
// or any other <!…> that is neither a comment nor CDATA) whose body starts
// at from. It ends where encoding/xml, which gofeed reads with, ends it:
// at the first '>' outside quotes that closes as many '<' as were opened
// within, comments inside skipped, the first byte taken as it is. Read any
// other way (by square brackets, say), a stray "<!x[>" in a summary would
// hide from this scan the items gofeed reads after it, or the reverse.
func skipDeclaration(body []byte, from int) int {
	var quote byte
	depth := 0
	for i := from + 1; i < len(body); i++ {
		c := body[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>' && depth == 0:
			return i + 1
		case c == '>':
			depth--
		case c == '<' && bytes.HasPrefix(body[i+1:], []byte("!--")):
			i = skipPast(body, i+4, "-->") - 1
		case c == '<':
			depth++
		}
	}
	return len(body)
}

// xmlChars returns a UTF-8 body without the characters XML 1.0 forbids
// (§2.2), raw or as character references: encoding/xml rejects a whole
// document for one of them, so one bad title would cost a feed all its
// items. C0 controls other than tab, newline and carriage return become a
// space (word processors write a line break as U+000B and a page break as
// U+000C); the noncharacters U+FFFE and U+FFFF, a byte-swapped byte order
// mark pasted into text, are dropped; a reference to a UTF-16 surrogate
// pair, as some publishers escape emoji, becomes the character it
// encodes, and any other reference to a forbidden code point becomes
// U+FFFD. A body with none of them is returned as it is, without a copy.
// Written by hand: encoding/xml has no lenient mode for characters, and
// x/text's rune mapping would neither see references nor spare the copy.
func xmlChars(body []byte) []byte {
	var out []byte // nil until the first fix
	done := 0      // body[:done] is in out
	for i := 0; i < len(body); {
		// Eight bytes at a time while none of them can start a fix: the
		// byte loop alone was a fifth of the CPU of a first read.
		for i+8 <= len(body) && !mayNeedXMLFix(binary.LittleEndian.Uint64(body[i:])) {
			i += 8
		}
		if i == len(body) {
			break
		}
		c := body[i]
		if c >= 0x20 && c != '&' && c != 0xEF || c == '\t' || c == '\n' || c == '\r' {
			i++
			continue
		}
		repl, n := xmlCharFix(body[i:])
		if n == 0 {
			i++
			continue
		}
		if out == nil {
			out = make([]byte, 0, len(body))
		}
		out = append(append(out, body[done:i]...), repl...)
		i += n
		done = i
	}
	if out == nil {
		return body
	}
	return append(out, body[done:]...)
}

// Word-at-a-time byte tests (the classic "has a byte less than n" and
// "has a zero byte" bit tricks) on eight bytes read little-endian.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// mayNeedXMLFix reports whether any of the eight bytes of x is one
// xmlChars looks at: a control byte (below 0x20, white space included:
// the byte loop lets tab, newline and carriage return through), '&'
// (which may begin a character reference) or 0xEF (which may begin
// U+FFFE or U+FFFF). It may report a word that holds none (the zero-byte
// test can flag a byte after a true hit), never miss one.
func mayNeedXMLFix(x uint64) bool {
	lt20 := (x - 0x20*ones) &^ x
	amp := x ^ '&'*ones
	ef := x ^ 0xEF*ones
	return (lt20|(amp-ones)&^amp|(ef-ones)&^ef)&highs != 0
}

// xmlCharFix returns what replaces the forbidden character or reference
// at the start of b and its length, or n == 0 when there is none.
func xmlCharFix(b []byte) (repl []byte, n int) {
	switch {
	case b[0] < 0x20:
		return []byte(" "), 1
	case b[0] == 0xEF:
		if len(b) >= 3 && b[1] == 0xBF && (b[2] == 0xBE || b[2] == 0xBF) {
			return nil, 3
		}
		return nil, 0
	}
	r, n := charRef(b)
	switch {
	case n == 0 || xmlChar(r):
		return nil, 0
	case r >= 0 && r < 0x20:
		return []byte(" "), n
	case r == 0xFFFE || r == 0xFFFF:
		return nil, n
	case utf16.IsSurrogate(r):
		if low, m := charRef(b[n:]); m > 0 {
			if pair := utf16.DecodeRune(r, low); pair != utf8.RuneError {
				return utf8.AppendRune(nil, pair), n + m
			}
		}
	}
	return []byte("\uFFFD"), n
}

// charRef reads a numeric character reference ("&#1234;" or "&#x4D2;") at
// the start of b: its code point and length, or n == 0 when there is none.
// A number too long for a code point reads as -1, which no rule allows.
func charRef(b []byte) (r rune, n int) {
	if len(b) < 4 || b[0] != '&' || b[1] != '#' {
		return 0, 0
	}
	base, i := 10, 2
	if b[2] == 'x' {
		base, i = 16, 3
	}
	start := i
	for i < len(b) && i-start <= 16 && hexDigit(b[i]) && (base == 16 || b[i] <= '9') {
		i++
	}
	if i == start || i >= len(b) || b[i] != ';' {
		return 0, 0
	}
	v, err := strconv.ParseUint(string(b[start:i]), base, 32)
	if err != nil || v > unicode.MaxRune {
		return -1, i + 1
	}
	return rune(v), i + 1
}

func hexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// xmlChar reports a code point XML 1.0 allows.
func xmlChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= unicode.MaxRune
}
