package match

import (
	"slices"
	"testing"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"plain text unchanged", "Сафаров and Səfərov", "Сафаров and Səfərov"},
		{"soft hyphen deleted", "Ека\u00adтеринбург", "Екатеринбург"},
		{"zero width and bom deleted", "\ufeffSput\u200bnik\u2060", "Sputnik"},
		{"nfkc ligature and full width", "ﬁnal ２０２５", "final 2025"},
		{"nfkc nbsp", "27\u00a0June", "27 June"},
		{"combining dot composes", "I\u0307lham", "İlham"},
		{"combining breve composes to й", "и\u0306од", "йод"},
		{"invalid utf8 replaced", "a\xffb", "a\ufffdb"},
		{"case kept", "AZAL", "AZAL"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Normalize(tc.in); got != tc.want {
				t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestTokenKeys(t *testing.T) {
	cases := []struct {
		name, in   string
		keys, lose []string
	}{
		{"dotted and dotless i fold", "İLHAM BAKI Bakı", []string{"ilham", "baki", "baki"}, nil},
		{"yo folds to ye", "Ёлка ёж", []string{"елка", "еж"}, nil},
		{"й survives", "Гусейн", []string{"гусейн"}, nil},
		{"turned e folds to schwa", "SƎFƎROV", []string{"səfərov"}, []string{"seferov"}},
		{"azerbaijani loose key", "Səfərov qardaşları", []string{"səfərov", "qardaşlari"}, []string{"seferov", "qardaslari"}},
		{"hyphen and apostrophe split", "J2-8243 AZAL’ın", []string{"j2", "8243", "azal", "in"}, nil},
		{"typographic quotes and dashes split", "«Спутник»—Азербайджан", []string{"спутник", "азербайджан"}, nil},
		{"digits are words", "38 погибших", []string{"38", "погибших"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			toks := appendTokens(nil, Normalize(tc.in), fieldBody)
			var keys, loose []string
			for _, tk := range toks {
				keys = append(keys, tk.key)
				loose = append(loose, tk.loose)
			}
			if !slices.Equal(keys, tc.keys) {
				t.Errorf("keys of %q = %q, want %q", tc.in, keys, tc.keys)
			}
			wantLoose := tc.lose
			if wantLoose == nil {
				wantLoose = tc.keys
			}
			if !slices.Equal(loose, wantLoose) {
				t.Errorf("loose keys of %q = %q, want %q", tc.in, loose, wantLoose)
			}
		})
	}
}

func TestTokenOffsets(t *testing.T) {
	text := "«Спутник Азербайджан», Bakı"
	toks := appendTokens(nil, text, fieldSummary)
	var got []string
	for _, tk := range toks {
		got = append(got, text[tk.start:tk.end])
		if tk.field != fieldSummary || tk.pos < fieldGap {
			t.Errorf("token %q: field %d pos %d, want the summary's positions", text[tk.start:tk.end], tk.field, tk.pos)
		}
	}
	if want := []string{"Спутник", "Азербайджан", "Bakı"}; !slices.Equal(got, want) {
		t.Errorf("token texts = %q, want %q", got, want)
	}
}

func TestHTMLText(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"no markup untouched", "a < b", "a < b"},
		{"entities decoded", "AT&amp;T &#39;quoted&#39; &laquo;Спутник&raquo;", "AT&T 'quoted' «Спутник»"},
		{"blocks separated", "<p>Belousov</p><p>Второй</p>", "Belousov\n\nВторой"},
		{"script and style dropped", `<p>Baku</p><script>x="Sputnik V"</script><style>p{}</style>`, "Baku"},
		{"link text kept", `<a href="https://x.test/sputnik">Картавых</a> освобождён`, "Картавых  освобождён"},
		{"inline tags separate words", "Kar<b>tavykh</b>", "Kar tavykh"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := htmlText(tc.in); got != tc.want {
				t.Errorf("htmlText(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestDecodeRune: the inline decoder agrees with utf8 on every one- and
// two-byte sequence, on truncated and invalid ones, and at the end.
func TestDecodeRune(t *testing.T) {
	var cases []string
	for b0 := range 256 {
		cases = append(cases, string([]byte{byte(b0)}), string([]byte{byte(b0), 'x'}))
		for b1 := 0x70; b1 < 0xD0; b1++ {
			cases = append(cases, string([]byte{byte(b0), byte(b1)}))
		}
	}
	cases = append(cases, "Səfərov", "Екатеринбург", "€", "😀", "\xe2\x82")
	for _, s := range cases {
		for i := 0; i <= len(s); i++ {
			r, n := decodeRune(s, i)
			wr, wn := rune(-1), 1
			if i < len(s) {
				wr, wn = utf8.DecodeRuneInString(s[i:])
			}
			if r != wr || n != wn {
				t.Fatalf("decodeRune(%q, %d) = %U, %d; utf8 says %U, %d", s, i, r, n, wr, wn)
			}
		}
	}
}
