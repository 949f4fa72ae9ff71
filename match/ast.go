package match

import (
	"strconv"
	"strings"
)

type nodeKind uint8

const (
	nTerm   nodeKind = iota // one word, maybe a prefix
	nPhrase                 // words in order, adjacent
	nAnd
	nOr
	nNot
	nNear
)

// fieldMask is a set of fields a node may match in.
type fieldMask uint8

const allFields fieldMask = 1<<numFields - 1

var fieldMasks = map[string]fieldMask{
	"title": 1 << fieldTitle, "summary": 1 << fieldSummary, "body": 1 << fieldBody, "text": allFields,
}

// qword is one word of a term or phrase after normalisation.
type qword struct {
	key    string // strict key (or its loose form when loose is set)
	loose  bool   // written without diacritics: match the text's loose key
	prefix bool   // trailing "*"
	name   bool   // written capitalised, so probably a name
	exact  bool   // written "=word": no folding across scripts or inflections
	// fold is the name key (see translit.go) of a capitalised word not
	// marked exact: its skeleton without endings, or for a prefix its
	// whole skeleton. Empty means the word matches only as written.
	fold string
	leaf int32 // index into Matcher.leaves, set by Compile
}

// node is a parsed query.
type node struct {
	kind      nodeKind
	words     []qword // nTerm (one) and nPhrase
	kids      []*node
	n         int  // NEAR distance
	ordered   bool // NEAR/nf
	fields    fieldMask
	line, col int
}

// String prints the node back, fully parenthesised, for explanations.
func (n *node) String() string {
	var b strings.Builder
	n.write(&b)
	return b.String()
}

func (n *node) write(b *strings.Builder) {
	if n.fields != allFields && (n.kind == nTerm || n.kind == nPhrase) {
		b.WriteString(fieldLabel(n.fields) + ":")
	}
	switch n.kind {
	case nTerm:
		writeWord(b, n.words[0])
	case nPhrase:
		b.WriteByte('"')
		for i, w := range n.words {
			if i > 0 {
				b.WriteByte(' ')
			}
			writeWord(b, w)
		}
		b.WriteByte('"')
	case nNot:
		b.WriteString("NOT ")
		n.kids[0].write(b)
	default:
		op := map[nodeKind]string{nAnd: " AND ", nOr: " OR "}[n.kind]
		if n.kind == nNear {
			op = " NEAR/" + strconv.Itoa(n.n)
			if n.ordered {
				op += "f"
			}
			op += " "
		}
		b.WriteByte('(')
		for i, k := range n.kids {
			if i > 0 {
				b.WriteString(op)
			}
			k.write(b)
		}
		b.WriteByte(')')
	}
}

func writeWord(b *strings.Builder, w qword) {
	if w.exact {
		b.WriteByte('=')
	}
	b.WriteString(w.key)
	if w.prefix {
		b.WriteByte('*')
	}
}

// fieldLabel names a field mask for display.
func fieldLabel(m fieldMask) string {
	var parts []string
	for f := range numFields {
		if m&(1<<f) != 0 {
			parts = append(parts, fieldNames[f])
		}
	}
	return strings.Join(parts, "+")
}

// positive reports whether the node requires something to occur: a
// purely negative query would match almost every item.
func (n *node) positive() bool {
	switch n.kind {
	case nNot:
		return false
	case nAnd:
		for _, k := range n.kids {
			if k.positive() {
				return true
			}
		}
		return false
	case nOr:
		for _, k := range n.kids {
			if !k.positive() {
				return false
			}
		}
	}
	return true
}
