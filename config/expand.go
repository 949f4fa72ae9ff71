package config

import (
	"strings"
)

// expand replaces each ${NAME} in s with the variable's value from getenv
// and each $$ with a literal $. Any other $ is kept as it is.
//
// It is written here rather than using os.Expand because os.Expand also
// expands bare $NAME (which would corrupt a literal password such as
// "pa$word"), cannot report an undefined variable, and silently drops
// malformed references. The problems it returns name variables but never
// quote s, which may be a secret.
func expand(s string, getenv func(string) (string, bool)) (string, []string) {
	if !strings.Contains(s, "$") {
		return s, nil
	}
	var b strings.Builder
	var problems []string
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i++
		case '{':
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				problems = append(problems, "unterminated ${ (write $$ for a literal $)")
				return s, problems
			}
			name := s[i+2 : i+2+end]
			i += 2 + end
			if !validVarName(name) {
				problems = append(problems, "invalid environment variable reference: names are letters, digits and _ (write $$ for a literal $)")
				continue
			}
			v, ok := getenv(name)
			if !ok {
				problems = append(problems, "environment variable "+name+" is not set")
				continue
			}
			b.WriteString(v)
		default:
			b.WriteByte('$')
		}
	}
	return b.String(), problems
}

// validVarName reports whether name is a shell-style variable name.
func validVarName(name string) bool {
	if name == "" || (name[0] >= '0' && name[0] <= '9') {
		return false
	}
	for _, c := range []byte(name) {
		ok := c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
		if !ok {
			return false
		}
	}
	return true
}
