package match

// parser is a recursive-descent parser over the lexer's tokens, one token
// of lookahead. Precedence: NOT > NEAR > AND (or juxtaposition) > OR.
type parser struct {
	lx  lexer
	tok qtok
}

// parse parses a whole query and rejects a purely negative one.
func parse(q string) (*node, error) {
	p := &parser{lx: lexer{src: q, line: 1, col: 1}}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind == tEOF {
		return nil, &QueryError{Line: 1, Col: 1, Msg: "empty query"}
	}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	switch p.tok.kind {
	case tEOF:
	case tRParen:
		return nil, p.errAt(p.tok, `unbalanced ")"`)
	default:
		return nil, p.errAt(p.tok, "unexpected %s", describe(p.tok))
	}
	if !n.positive() {
		return nil, &QueryError{Line: n.line, Col: n.col, Msg: "query is only negative: it needs a term that must occur"}
	}
	return n, nil
}

func (p *parser) advance() error {
	t, err := p.lx.next()
	p.tok = t
	return err
}

func (p *parser) errAt(t qtok, format string, args ...any) *QueryError {
	return p.lx.errorf(t.line, t.col, format, args...)
}

// describe names a token for error messages.
func describe(t qtok) string {
	switch t.kind {
	case tEOF:
		return "end of query"
	case tWord, tPhrase:
		return "term " + `"` + t.text + `"`
	case tLParen:
		return `"("`
	case tRParen:
		return `")"`
	case tField:
		return "field " + t.text + ":"
	}
	return map[tokKind]string{tAnd: "AND", tOr: "OR", tNot: "NOT", tMinus: `"-"`, tNear: "NEAR"}[t.kind]
}

func (p *parser) or() (*node, error) {
	first := p.tok
	left, err := p.and()
	if err != nil {
		return nil, err
	}
	kids := []*node{left}
	for p.tok.kind == tOr {
		if err := p.advance(); err != nil {
			return nil, err
		}
		right, err := p.and()
		if err != nil {
			return nil, err
		}
		kids = append(kids, right)
	}
	return group(nOr, kids, first), nil
}

// startsOperand reports whether t can begin a not_expr (juxtaposition).
func startsOperand(t qtok) bool {
	switch t.kind {
	case tWord, tPhrase, tLParen, tNot, tMinus, tField:
		return true
	}
	return false
}

func (p *parser) and() (*node, error) {
	first := p.tok
	left, err := p.not()
	if err != nil {
		return nil, err
	}
	kids := []*node{left}
	for p.tok.kind == tAnd || startsOperand(p.tok) {
		if p.tok.kind == tAnd {
			if err := p.advance(); err != nil {
				return nil, err
			}
		}
		right, err := p.not()
		if err != nil {
			return nil, err
		}
		kids = append(kids, right)
	}
	return group(nAnd, kids, first), nil
}

// group returns the single child or a node of kind over all children.
func group(kind nodeKind, kids []*node, at qtok) *node {
	if len(kids) == 1 {
		return kids[0]
	}
	return &node{kind: kind, kids: kids, fields: allFields, line: at.line, col: at.col}
}

func (p *parser) not() (*node, error) {
	if t := p.tok; t.kind == tNot || t.kind == tMinus {
		if err := p.advance(); err != nil {
			return nil, err
		}
		k, err := p.not()
		if err != nil {
			return nil, err
		}
		return &node{kind: nNot, kids: []*node{k}, fields: allFields, line: t.line, col: t.col}, nil
	}
	return p.near()
}

func (p *parser) near() (*node, error) {
	left, err := p.operand()
	if err != nil {
		return nil, err
	}
	for p.tok.kind == tNear {
		op := p.tok
		if err := p.advance(); err != nil {
			return nil, err
		}
		right, err := p.operand()
		if err != nil {
			return nil, err
		}
		for _, k := range []*node{left, right} {
			if !nearOperand(k) {
				return nil, p.errAt(op, "NEAR takes terms, phrases or OR-groups of them, not AND or NOT")
			}
		}
		left = &node{kind: nNear, kids: []*node{left, right}, n: op.n, ordered: op.ordered, fields: allFields, line: left.line, col: left.col}
	}
	return left, nil
}

// nearOperand reports whether n yields word positions NEAR can measure.
func nearOperand(n *node) bool {
	switch n.kind {
	case nTerm, nPhrase, nNear:
		return true
	case nOr:
		for _, k := range n.kids {
			if !nearOperand(k) {
				return false
			}
		}
		return true
	}
	return false
}
