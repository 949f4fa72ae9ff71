// Package story tells which news items report the same event, so that a
// digest can show one entry per story, with the other outlets' reports
// listed as "also reported by".
//
// Items are reduced to a Print: the rare names and numbers they carry, in a
// key that is the same across Latin, Cyrillic and Azerbaijani spellings
// (Kartavykh, Картавых and Kartavıx share one), and a MinHash signature of
// their wording for near-duplicates within one language. Prints are plain
// values: the cycle stores them with the stories it sent, so that a later
// report of a story already sent can be recognised.
//
// The package does no I/O and imports nothing of the project.
package story

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Doc is the text of one item, as the grouping reads it.
type Doc struct {
	// Source is the outlet; two reports of one outlet are never one
	// story's (the second is its follow-up, not another outlet's report).
	Source    string
	Lang      string
	Published time.Time
	Title     string
	Summary   string
	Body      string
}

// Print is what grouping keeps of a Doc.
type Print struct {
	Source string    `json:"source,omitempty"`
	Lang   string    `json:"lang,omitempty"`
	Time   time.Time `json:"time"`
	// Names are the keys of the capitalised words (see nameKey), sorted
	// and distinct; Numbers the numbers of two or more digits.
	Names   []string `json:"names,omitempty"`
	Numbers []string `json:"numbers,omitempty"`
	// Title holds the name keys and numbers of the headline alone.
	Title []string `json:"title,omitempty"`
	// Sig is the MinHash signature of the wording (see minhash.go).
	Sig Signature `json:"sig,omitempty"`
}

// Signature is a MinHash signature, of the low 16 bits of each minimum
// (b-bit MinHash, Li and König, 2010): two different minima agree on
// those bits once in 65,536, which moves a resemblance by less than the
// 1/64 one position is worth, and every report a digest sends keeps its
// signature in the state. It is stored as base64 of its little-endian
// bytes, 172 characters. A signature of 32-bit minima, as earlier
// versions stored it, is read as its low 16 bits, so it still compares.
type Signature []uint16

// MarshalJSON encodes s as a base64 string.
func (s Signature) MarshalJSON() ([]byte, error) {
	raw := make([]byte, 0, 2*len(s))
	for _, v := range s {
		raw = binary.LittleEndian.AppendUint16(raw, v)
	}
	return json.Marshal(raw)
}

// UnmarshalJSON decodes what MarshalJSON wrote, or the 32-bit signature
// of an earlier version; a signature of another length is dropped (it
// compares with nothing) rather than failing the whole print.
func (s *Signature) UnmarshalJSON(b []byte) error {
	var raw []byte
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("minhash signature: %w", err)
	}
	width := len(raw) / sigSize
	if len(raw)%sigSize != 0 || (width != 2 && width != 4) {
		*s = nil
		return nil
	}
	out := make(Signature, sigSize)
	for i := range out {
		out[i] = binary.LittleEndian.Uint16(raw[width*i:]) // the low half, little-endian, of either width
	}
	*s = out
	return nil
}

// Fingerprint returns the Print of d.
func Fingerprint(d Doc) Print {
	p := Print{Source: d.Source, Lang: strings.ToLower(strings.TrimSpace(d.Lang)), Time: d.Published}
	names := map[string]bool{}
	numbers := map[string]bool{}
	title := map[string]bool{}
	var words []string
	for i, field := range []string{d.Title, d.Summary, d.Body} {
		for _, w := range splitWords(field) {
			lw := strings.ToLower(w)
			words = append(words, lw)
			f := feature(w, p.Lang)
			if d := numberWord(lw, p.Lang); d != "" {
				f = "#" + d
			}
			if f == "" {
				continue
			}
			if f[0] == '#' {
				numbers[f] = true
			} else {
				names[f] = true
			}
			if i == 0 {
				title[f] = true
			}
		}
	}
	p.Names = sortedKeys(names)
	p.Numbers = sortedKeys(numbers)
	p.Title = sortedKeys(title)
	p.Sig = minhash(shingles(words))
	return p
}

// feature returns the anchor feature of a word: "#" and its digits for a
// number, the name key of a capitalised word of four letters or more, or
// "" for anything else.
func feature(w, lang string) string {
	r, _ := utf8.DecodeRuneInString(w)
	switch {
	case isDigits(w):
		if n := strings.TrimLeft(w, "0"); n != "" {
			return "#" + n
		}
		return ""
	case unicode.IsUpper(r) && utf8.RuneCountInString(w) >= 4:
		return nameKey(w, lang)
	}
	return ""
}

func isDigits(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return w != ""
}

// splitWords splits text into runs of letters and digits; hyphens,
// apostrophes and punctuation separate words ("AZAL-ın" is AZAL and ın).
func splitWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
