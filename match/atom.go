package match

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

func (p *parser) operand() (*node, error) {
	mask := allFields
	if p.tok.kind == tField {
		mask = fieldMasks[p.tok.text]
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
	n, err := p.atom()
	if err != nil {
		return nil, err
	}
	restrict(n, mask)
	return n, nil
}

// restrict narrows the fields of every term and phrase under n.
func restrict(n *node, mask fieldMask) {
	n.fields &= mask
	for _, k := range n.kids {
		restrict(k, mask)
	}
}

func (p *parser) atom() (*node, error) {
	t := p.tok
	switch t.kind {
	case tWord, tPhrase:
		n, err := p.terms(t)
		if err != nil {
			return nil, err
		}
		return n, p.advance()
	case tLParen:
		if err := p.advance(); err != nil {
			return nil, err
		}
		if p.tok.kind == tRParen {
			return nil, p.errAt(p.tok, `empty group "()"`)
		}
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tRParen {
			return nil, p.errAt(t, `unbalanced "(": no matching ")"`)
		}
		return n, p.advance()
	case tRParen:
		return nil, p.errAt(t, `unbalanced ")"`)
	}
	return nil, p.errAt(t, "expected a term, phrase or group, got %s", describe(t))
}

// terms turns a bare word or phrase into a term or phrase node. Each chunk
// is split like document text, so J2-8243 becomes the phrase "j2 8243".
func (p *parser) terms(t qtok) (*node, error) {
	chunks := []string{t.text}
	if t.kind == tPhrase {
		chunks = strings.Fields(t.text)
	}
	var ws []qword
	for _, c := range chunks {
		prefix := strings.HasSuffix(c, "*")
		c = strings.TrimSuffix(c, "*")
		exact := strings.HasPrefix(c, "=")
		c = strings.TrimPrefix(c, "=")
		if strings.Contains(c, "*") {
			return nil, p.errAt(t, "wildcard \"*\" is allowed only at the end of a word (in %q)", t.text)
		}
		if strings.Contains(c, "=") {
			return nil, p.errAt(t, "\"=\" (match exactly as written) is allowed only at the start of a word (in %q)", t.text)
		}
		keys := words(c)
		if len(keys) == 0 {
			return nil, p.errAt(t, "%q has no letters or digits", t.text)
		}
		name := unicode.IsUpper([]rune(c)[0])
		for i, k := range keys {
			w := qword{key: k, loose: looseKey(k) == k, prefix: prefix && i == len(keys)-1, name: name, exact: exact}
			w.fold = foldKey(w)
			ws = append(ws, w)
		}
		if last := keys[len(keys)-1]; prefix && utf8.RuneCountInString(last) < minPrefix {
			return nil, p.errAt(t, "prefix %q is too short: write at least 3 letters before \"*\"", last+"*")
		}
	}
	if len(ws) == 0 {
		return nil, p.errAt(t, "empty phrase")
	}
	kind := nPhrase
	if len(ws) == 1 {
		kind = nTerm
	}
	return &node{kind: kind, words: ws, fields: allFields, line: t.line, col: t.col}, nil
}

// ParseQuery validates one query (for `watcher check`); the error, if any,
// is a *QueryError with the line and column of the problem.
func ParseQuery(q string) error {
	_, err := parse(q)
	return err
}

// foldKey returns the name key a word matches under (see translit.go), or
// "" when it matches only as written: a lower-case word, one marked
// "=word", or a prefix whose skeleton is shorter than minPrefix bytes.
func foldKey(w qword) string {
	if !w.name || w.exact {
		return ""
	}
	if w.prefix {
		if s := skeleton(w.key); len(s) >= minPrefix {
			return s
		}
		return ""
	}
	return nameKey(w.key)
}
