package crawl

import "bytes"

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

// skipDeclaration returns the offset just past a <!DOCTYPE …> and its
// internal subset in brackets, whose entity values may hold '>'.
func skipDeclaration(body []byte, from int) int {
	var quote byte
	brackets := 0
	for i := from; i < len(body); i++ {
		c := body[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '[':
			brackets++
		case c == ']':
			brackets = max(brackets-1, 0)
		case c == '>' && brackets == 0:
			return i + 1
		}
	}
	return len(body)
}
