package crawl

import "testing"

// TestSharedGUIDs: a GUID shared by different items is not trusted (each
// is known by its link), while a repeat of one item keeps its GUID.
func TestSharedGUIDs(t *testing.T) {
	feed := `<rss version="2.0"><channel><title>T</title>
<item><title>One</title><link>http://x.example/1</link><guid>same</guid></item>
<item><title>Two</title><link>http://x.example/2</link><guid>same</guid></item>
<item><title>Three</title><link>http://x.example/3</link><guid>own</guid></item>
<item><title>Three again</title><link>http://x.example/3?utm_source=rss</link><guid>own</guid></item>
</channel></rss>`
	items, err := parseFeed([]byte(feed), "", nil, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"", "", "own", "own"}
	for i, it := range items {
		if it.GUID != want[i] {
			t.Errorf("item %d (%s): GUID %q, want %q", i, it.Title, it.GUID, want[i])
		}
	}
	if items[0].Key() == items[1].Key() {
		t.Error("two different items that shared a GUID have one key")
	}
	if items[2].Key() != items[3].Key() {
		t.Error("one item repeated under its GUID got two keys")
	}
}
