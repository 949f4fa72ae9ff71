package match

import "testing"

// TestHTMLTextWithoutMarkup: text with entities but no markup skips the
// tokenizer and reads exactly as the tokenizer would have made it.
func TestHTMLTextWithoutMarkup(t *testing.T) {
	for _, in := range []string{
		"AZAL & Aeroflot", "AT&amp;T &#39;quoted&#39; &laquo;Спутник&raquo;", "  &nbsp;Baku&nbsp; ", "&", "&am", "a &#0 b &#x41",
		"fish &chips; &notit; &amp", "\x00&lt;\x00", "Баку\n\t&mdash;\u00a0Москва",
	} {
		if got, want := htmlText(in), tokenText(in); got != want {
			t.Errorf("htmlText(%q) = %q, tokenizer %q", in, got, want)
		}
	}
	clean := "AZAL & Aeroflot agree on compensation"
	if n := testing.AllocsPerRun(100, func() { _ = htmlText(clean) }); n != 0 {
		t.Errorf("clean text with an ampersand: %v allocations, want 0", n)
	}
}

// BenchmarkHTMLText is the clean-up of one crawled summary: clean text
// that holds an ampersand.
func BenchmarkHTMLText(b *testing.B) {
	s := "A Baku court extended the detention of Igor Kartavykh & Yevgeny Belousov. Both have been held since 30 June 2025; " +
		"Moscow called the case political and linked it to the Yekaterinburg raid."
	b.ReportAllocs()
	for b.Loop() {
		_ = htmlText(s)
	}
}
