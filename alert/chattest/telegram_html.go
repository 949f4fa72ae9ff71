package chattest

import (
	"errors"
	"html"
	"regexp"
	"strings"
)

// The Bot API's HTML parse mode accepts a few tags and the entities
// &lt; &gt; &amp; &quot; and numeric ones; any other < or & is an error
// ("can't parse entities"), as is an unclosed tag.
var (
	tgTag    = regexp.MustCompile(`^<(/?)(b|strong|i|em|u|ins|s|strike|del|code|pre|blockquote|tg-spoiler|a)((?: href="[^"<>]*")?)>`)
	tgEntity = regexp.MustCompile(`^&(lt|gt|amp|quot|#[0-9]+|#x[0-9a-fA-F]+);`)
)

// telegramEntities checks text as the Bot API parses HTML and returns the
// text a reader sees, which is what the length limit counts.
func telegramEntities(text string) (string, error) {
	var visible strings.Builder
	var open []string
	for i := 0; i < len(text); {
		switch text[i] {
		case '<':
			m := tgTag.FindStringSubmatch(text[i:])
			if m == nil {
				return "", errors.New("unsupported start tag at byte " + itoa(i))
			}
			closing, name, attr := m[1] == "/", m[2], m[3]
			switch {
			case closing && (len(open) == 0 || open[len(open)-1] != name):
				return "", errors.New("unmatched end tag " + name)
			case closing:
				open = open[:len(open)-1]
			case name == "a" && attr == "":
				return "", errors.New("a without href")
			case name != "a" && attr != "":
				return "", errors.New("attribute on " + name)
			default:
				open = append(open, name)
			}
			i += len(m[0])
		case '&':
			m := tgEntity.FindString(text[i:])
			if m == "" {
				return "", errors.New("unescaped & at byte " + itoa(i))
			}
			visible.WriteString(html.UnescapeString(m))
			i += len(m)
		case '>':
			return "", errors.New("unescaped > at byte " + itoa(i))
		default:
			visible.WriteByte(text[i])
			i++
		}
	}
	if len(open) > 0 {
		return "", errors.New("unclosed tag " + open[len(open)-1])
	}
	return visible.String(), nil
}

func itoa(n int) string { return secs(n) }
