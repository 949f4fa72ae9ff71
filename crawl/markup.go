package crawl

import (
	"strings"

	"golang.org/x/net/html/atom"
)

// stripper walks an HTML fragment once, writing its text to w. Where a
// tag, comment or raw-text element ends follows x/net/html's tokenizer
// (the HTML standard's tokenization), so the text is the one the
// tokenizer gave, with these exceptions:
//   - a CDATA section's markers are dropped and its contents kept (the
//     standard makes it a comment outside SVG and MathML, which hid the
//     text of publishers who wrap a summary in CDATA twice);
//   - the contents of iframe, noembed and noframes are dropped like those
//     of script and style: browsers do not show them, and as raw text
//     their markup came out as words;
//   - an end tag of script, style, noscript or template that closes
//     nothing is ignored, where it used to hide the rest of the field;
//   - inside a script, "<!--" does not change where the script ends.
type stripper struct {
	w        *textWriter
	s        string
	hidden   int  // open <template> elements: their text is not shown
	cdataEnd int  // offset of the "]]>" ending the CDATA section we are in, or -1
	noCDATA  bool // no "]]>" follows: a CDATA section opened now stays open
}

// stripMarkup writes the text of the HTML fragment s, valid UTF-8, to w.
func (w *textWriter) stripMarkup(s string) {
	st := stripper{w: w, s: s, cdataEnd: -1}
	for i := 0; i < len(s); {
		j := st.nextMarkup(i)
		if j > i && st.hidden == 0 {
			w.text(s[i:j], true)
		}
		switch {
		case j == len(s):
			return
		case j == st.cdataEnd:
			i, st.cdataEnd = j+len("]]>"), -1
			continue
		}
		if i = st.markup(j); i < 0 {
			return // the fragment ends inside a tag: the tokenizer drops it
		}
		if st.cdataEnd >= 0 && i > st.cdataEnd {
			st.cdataEnd = -1 // the section's end was inside the tag
		}
	}
}

// nextMarkup is the offset of the first markup at or after i (or of the
// end of the current CDATA section, or len(s)). A '<' that starts no tag,
// as in "a < b" or "<3", is text.
func (st *stripper) nextMarkup(i int) int {
	s, end := st.s, len(st.s)
	if st.cdataEnd >= 0 {
		end = st.cdataEnd
	}
	for i < end {
		k := strings.IndexByte(s[i:end], '<')
		if k < 0 {
			return end
		}
		i += k
		if i+1 < len(s) {
			switch c := s[i+1]; {
			case isLetter(c), c == '!', c == '?':
				return i
			case c == '/' && i+2 < len(s):
				return i
			}
		}
		i++
	}
	return end
}

// markup skips the markup at s[j] ('<' and one of a letter, '/', '!',
// '?'), acting on the tags that matter, and returns the offset after it,
// or -1 when s ends first.
func (st *stripper) markup(j int) int {
	s := st.s
	switch c := s[j+1]; {
	case isLetter(c):
		return st.startTag(j)
	case c == '?':
		return closeAngle(s, j+2)
	case c == '!':
		return st.declaration(j)
	}
	switch c := s[j+2]; { // "</"
	case c == '>':
		return j + 3 // "</>" is nothing at all
	case isLetter(c):
		return st.endTag(j)
	}
	return closeAngle(s, j+2) // a bogus comment
}

// startTag handles the start tag at s[j].
func (st *stripper) startTag(j int) int {
	name, end, selfClosing := readTag(st.s, j+1)
	if end < 0 {
		return -1
	}
	a := tagAtom(name)
	switch a {
	case atom.Script, atom.Style, atom.Noscript, atom.Iframe, atom.Noembed, atom.Noframes:
		return rawTextEnd(st.s, end, name)
	case atom.Textarea, atom.Title, atom.Xmp, atom.Plaintext:
		stop := len(st.s)
		if a != atom.Plaintext {
			stop = rawTextEnd(st.s, end, name)
		}
		if st.hidden == 0 {
			// Raw text: its markup is words. Only RCDATA decodes entities.
			st.w.text(strings.ReplaceAll(st.s[end:stop], "\x00", "\uFFFD"), a == atom.Textarea || a == atom.Title)
		}
		return stop
	case atom.Template:
		if !selfClosing {
			st.hidden++
		}
	}
	st.block(a)
	return end
}

// endTag handles the end tag at s[j] ("</" and a letter).
func (st *stripper) endTag(j int) int {
	name, end, _ := readTag(st.s, j+2)
	if end < 0 {
		return -1
	}
	a := tagAtom(name)
	if a == atom.Template && st.hidden > 0 {
		st.hidden--
	}
	st.block(a)
	return end
}

// block marks a paragraph break for the tags that end a paragraph.
func (st *stripper) block(a atom.Atom) {
	switch a {
	case atom.P, atom.Div, atom.Br, atom.Li, atom.Ul, atom.Ol,
		atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
		atom.Blockquote, atom.Pre, atom.Table, atom.Tr, atom.Section,
		atom.Article, atom.Header, atom.Footer, atom.Figure, atom.Hr:
		st.w.para = true
	case atom.Td, atom.Th, atom.Dt, atom.Dd, atom.Caption:
		// Cells and terms are separate words, not one: "<td>Baku</td><td>Moscow</td>".
		st.w.space = true
	}
}

// declaration skips the "<!" markup at s[j]: a comment, a CDATA marker
// (the section's contents stay text), or a doctype or bogus comment.
func (st *stripper) declaration(j int) int {
	s := st.s
	if j+4 > len(s) {
		return -1 // the tokenizer reads two bytes past "<!"
	}
	if s[j+2] == '-' && s[j+3] == '-' {
		return commentEnd(s, j+4)
	}
	const open = "<![CDATA["
	if !strings.HasPrefix(s[j:], open) {
		return closeAngle(s, j+2)
	}
	k := j + len(open)
	if st.cdataEnd < 0 && !st.noCDATA {
		if e := strings.Index(s[k:], "]]>"); e >= 0 {
			st.cdataEnd = k + e
		} else {
			st.noCDATA = true
		}
	}
	return k
}

// commentEnd is the offset after the comment whose text starts at s[i]:
// after "-->", "--!>", or the ">" of "<!-->" and "<!--->"; -1 when s ends.
func commentEnd(s string, i int) int {
	dashes, beginning := 0, true
	for ; i < len(s); i++ {
		switch s[i] {
		case '-':
			dashes++
			continue
		case '>':
			if dashes >= 2 || beginning {
				return i + 1
			}
		case '!':
			if dashes >= 2 {
				if i++; i == len(s) {
					return -1
				}
				switch s[i] {
				case '>':
					return i + 1
				case '-':
					dashes, beginning = 1, false
					continue
				}
			}
		}
		dashes, beginning = 0, false
	}
	return -1
}

// closeAngle is the offset after the first '>' at or after i, or -1.
func closeAngle(s string, i int) int {
	if k := strings.IndexByte(s[i:], '>'); k >= 0 {
		return i + k + 1
	}
	return -1
}

// readTag reads a tag whose name starts at s[i]: its name, the offset
// after its '>' (-1 when s ends first) and whether it closes itself
// ("<br/>"). A '>' inside a quoted attribute value does not end the tag.
func readTag(s string, i int) (name string, end int, selfClosing bool) {
	n := i
	for n < len(s) && !isTagSpace(s[n]) && s[n] != '/' && s[n] != '>' {
		n++
	}
	name, i = s[i:n], n
	valEnd := -1 // where an unquoted value ended at the '>'
	for {
		if i = skipTagSpace(s, i); i >= len(s) {
			return name, -1, false
		}
		if s[i] == '>' {
			// In "<a href=x/>" the '/' belongs to the value.
			return name, i + 1, s[i-1] == '/' && valEnd != i
		}
		if s[i] != '/' { // an attribute name; a leading '=' is part of it
			k := i + 1
			for k < len(s) && !isTagSpace(s[k]) && s[k] != '/' && s[k] != '>' && s[k] != '=' {
				k++
			}
			i = k
		}
		if i = skipTagSpace(s, i); i >= len(s) {
			return name, -1, false
		}
		switch s[i] {
		case '/':
			i++
			continue
		case '=':
		default:
			continue // an attribute without a value
		}
		if i = skipTagSpace(s, i+1); i >= len(s) {
			return name, -1, false
		}
		switch q := s[i]; q {
		case '>':
		case '"', '\'':
			k := strings.IndexByte(s[i+1:], q)
			if k < 0 {
				return name, -1, false
			}
			i += k + 2
		default:
			k := i + 1
			for k < len(s) && !isTagSpace(s[k]) && s[k] != '>' {
				k++
			}
			i, valEnd = k, k
		}
	}
}

// rawTextEnd is the offset of the end tag closing the raw-text element
// name whose contents start at s[i] ("</name" then a space, '/' or '>',
// in any case), or len(s).
func rawTextEnd(s string, i int, name string) int {
	for {
		k := strings.Index(s[i:], "</")
		if k < 0 {
			return len(s)
		}
		k += i
		if e := k + 2 + len(name); e < len(s) && asciiEqualFold(s[k+2:e], name) &&
			(isTagSpace(s[e]) || s[e] == '/' || s[e] == '>') {
			return k
		}
		i = k + 2
	}
}

// tagAtom is the lower-cased tag name as an atom (0 when it is none of
// the names the HTML standard knows), found without allocating.
func tagAtom(name string) atom.Atom {
	var low [16]byte
	if len(name) > len(low) {
		return 0 // longer than any name that matters here
	}
	for i := range len(name) {
		low[i] = lowerASCII(name[i])
	}
	return atom.Lookup(low[:len(name)])
}

func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range len(a) {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// isTagSpace is the white space of the tokenizer's tag states.
func isTagSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' }

func skipTagSpace(s string, i int) int {
	for i < len(s) && isTagSpace(s[i]) {
		i++
	}
	return i
}
