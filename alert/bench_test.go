package alert

import "testing"

func BenchmarkRenderHTML(b *testing.B) {
	benches := []struct {
		name string
		d    Digest
	}{
		{"fixture-5", testDigest()},
		{"capped-300", bigDigest(300)},
	}
	for _, bc := range benches {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := RenderHTML(bc.d); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkRenderText(b *testing.B) {
	d := bigDigest(300)
	b.ReportAllocs()
	for b.Loop() {
		_ = RenderText(d)
	}
}
