package config

import (
	"regexp"
	"strconv"
	"strings"
)

// Error is one problem in a configuration file, at a line and key path
// such as "sources[3].feed" (list indexes count from 0). Line is 0 when
// the problem has no single place, such as a missing section.
type Error struct {
	File string // the file as named to Load or Parse
	Line int    // 1-based line, or 0
	Key  string // key path, or empty for the file as a whole
	Msg  string // what is wrong, never quoting a secret
}

// Error formats the problem as "file:line: key: message".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(":" + strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString(e.Key + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// yamlLine splits the line number off a go-yaml syntax error.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// syntaxError turns "yaml: line 7: did not find expected key" into an
// *Error whose text reads "config.yaml:7: yaml: did not find expected key".
func syntaxError(file string, err error) error {
	msg := err.Error()
	e := &Error{File: file, Msg: msg}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		e.Line, _ = strconv.Atoi(m[1])
		e.Msg = "yaml: " + msg[len(m[0]):]
	}
	return e
}

// byLine orders errors by line, with those that have no line last.
func byLine(a, b *Error) int {
	switch {
	case a.Line == b.Line:
		return 0
	case a.Line == 0:
		return 1
	case b.Line == 0:
		return -1
	}
	return a.Line - b.Line
}
