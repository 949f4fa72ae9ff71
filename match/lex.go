package match

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The query language is the project's own dialect of the journalists'
// boolean syntax (uppercase operators, NEAR/n, trailing wildcards,
// per-field prefixes), so the lexer and parser are written by hand: a
// generic parser library would still need every rule below spelt out, and
// the error positions users see are easier to keep exact this way.

type tokKind uint8

const (
	tEOF tokKind = iota
	tWord
	tPhrase
	tLParen
	tRParen
	tAnd
	tOr
	tNot
	tMinus
	tNear
	tField
)

// qtok is one lexical token of a query.
type qtok struct {
	kind      tokKind
	text      string // word or phrase text, field name
	n         int    // NEAR distance
	ordered   bool   // NEAR/nf
	line, col int
}

// lexer splits a query into tokens, tracking line and column in runes.
type lexer struct {
	src       string
	i         int
	line, col int
}

func (lx *lexer) errorf(line, col int, format string, args ...any) *QueryError {
	return &QueryError{Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

// advance consumes one rune and updates the position.
func (lx *lexer) advance() rune {
	r, size := utf8.DecodeRuneInString(lx.src[lx.i:])
	lx.i += size
	if r == '\n' {
		lx.line++
		lx.col = 1
	} else {
		lx.col++
	}
	return r
}

func (lx *lexer) peek() rune {
	if lx.i >= len(lx.src) {
		return -1
	}
	r, _ := utf8.DecodeRuneInString(lx.src[lx.i:])
	return r
}

// isDelim reports whether r ends a bare word.
func isDelim(r rune) bool {
	return r < 0 || unicode.IsSpace(r) || r == '(' || r == ')' || r == '"'
}

// next returns the next token or a positioned error.
func (lx *lexer) next() (qtok, error) {
	for r := lx.peek(); r >= 0 && unicode.IsSpace(r); r = lx.peek() {
		lx.advance()
	}
	t := qtok{line: lx.line, col: lx.col}
	switch r := lx.peek(); {
	case r < 0:
		return t, nil
	case r == '(' || r == ')':
		lx.advance()
		t.kind = map[rune]tokKind{'(': tLParen, ')': tRParen}[r]
		return t, nil
	case r == '"':
		return lx.phrase(t)
	case r == '-':
		lx.advance()
		if isDelim(lx.peek()) && lx.peek() != '(' && lx.peek() != '"' {
			return t, lx.errorf(t.line, t.col, `"-" must be written right before a term or group`)
		}
		t.kind = tMinus
		return t, nil
	}
	start := lx.i
	for !isDelim(lx.peek()) {
		lx.advance()
		if lx.src[lx.i-1] == ':' {
			break
		}
	}
	return lx.word(t, lx.src[start:lx.i])
}

// phrase reads a quoted phrase starting at the opening quote.
func (lx *lexer) phrase(t qtok) (qtok, error) {
	lx.advance()
	start := lx.i
	for r := lx.peek(); r != '"'; r = lx.peek() {
		if r < 0 {
			return t, lx.errorf(t.line, t.col, `unterminated phrase: missing closing '"'`)
		}
		lx.advance()
	}
	t.kind, t.text = tPhrase, lx.src[start:lx.i]
	lx.advance()
	return t, nil
}

// word classifies a bare word: operator, field prefix or term.
func (lx *lexer) word(t qtok, w string) (qtok, error) {
	t.kind, t.text = tWord, w
	switch {
	case w == "AND":
		t.kind = tAnd
	case w == "OR":
		t.kind = tOr
	case w == "NOT":
		t.kind = tNot
	case strings.HasPrefix(w, "NEAR"):
		return lx.near(t, w)
	case strings.HasSuffix(w, ":"):
		name := strings.ToLower(strings.TrimSuffix(w, ":"))
		if _, ok := fieldMasks[name]; !ok {
			return t, lx.errorf(t.line, t.col, "unknown field %q (use title:, summary:, body: or text:)", name)
		}
		if isDelim(lx.peek()) && lx.peek() != '(' && lx.peek() != '"' {
			return t, lx.errorf(t.line, t.col, "field %s: needs a term, phrase or group right after it", name)
		}
		t.kind, t.text = tField, name
	}
	return t, nil
}

// near parses NEAR/n and NEAR/nf.
func (lx *lexer) near(t qtok, w string) (qtok, error) {
	spec, ok := strings.CutPrefix(w, "NEAR/")
	if !ok {
		if w == "NEAR" {
			return t, lx.errorf(t.line, t.col, "NEAR needs a distance, as in NEAR/5")
		}
		return t, nil // a word such as NEARBY
	}
	t.kind = tNear
	t.ordered = strings.HasSuffix(spec, "f")
	n, err := strconv.Atoi(strings.TrimSuffix(spec, "f"))
	if err != nil || n < 0 || n > 1000 {
		return t, lx.errorf(t.line, t.col, "bad NEAR distance %q: want NEAR/n or NEAR/nf with n from 0 to 1000", w)
	}
	t.n = n
	return t, nil
}
