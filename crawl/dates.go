package crawl

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// localDate matches "27 июня 2025", "27 iyun 2025, 14:05" and the like:
// day, month word, year, optional time. gofeed reads RFC 822/3339 and
// English month names; regional outlets also write the month in Russian
// or Azerbaijani, which no date library we use knows.
var localDate = regexp.MustCompile(`(\d{1,2})\s+(\p{L}+)\.?,?\s+(\d{4})(?:\D{1,12}?(\d{1,2}):(\d{2}))?`)

// monthStems maps the start of a Russian or Azerbaijani month name (any
// case form) to its month; longer stems come first where they overlap.
var monthStems = []struct {
	stem  string
	month time.Month
}{
	{"янв", time.January}, {"фев", time.February}, {"мар", time.March}, {"апр", time.April},
	{"мая", time.May}, {"май", time.May}, {"июн", time.June}, {"июл", time.July},
	{"авг", time.August}, {"сен", time.September}, {"окт", time.October}, {"ноя", time.November},
	{"дек", time.December},
	{"yanvar", time.January}, {"fevral", time.February}, {"mart", time.March}, {"aprel", time.April},
	{"may", time.May}, {"iyun", time.June}, {"iyul", time.July}, {"avqust", time.August},
	{"sentyabr", time.September}, {"oktyabr", time.October}, {"noyabr", time.November},
	{"dekabr", time.December},
}

// parseLocalDate reads a day-month-year date with a Russian or
// Azerbaijani month name, in UTC.
func parseLocalDate(s string) (time.Time, bool) {
	m := localDate.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, false
	}
	month := monthOf(strings.ToLower(m[2]))
	day, _ := strconv.Atoi(m[1])
	year, _ := strconv.Atoi(m[3])
	if month == 0 || day < 1 || day > 31 {
		return time.Time{}, false
	}
	hour, minute := 0, 0
	if m[4] != "" {
		hour, _ = strconv.Atoi(m[4])
		minute, _ = strconv.Atoi(m[5])
		if hour > 23 || minute > 59 {
			hour, minute = 0, 0
		}
	}
	return time.Date(year, month, day, hour, minute, 0, 0, time.UTC), true
}

func monthOf(word string) time.Month {
	for _, ms := range monthStems {
		if strings.HasPrefix(word, ms.stem) {
			return ms.month
		}
	}
	return 0
}

// maxFuture is how far past the clock a date may lie and still be read as
// the item's. Time zones put a fresh item up to 14 hours ahead when a
// publisher mislabels its zone, and some schedule posts a little early;
// beyond two days, the date is a template's placeholder or a typo, and it
// would keep the item at the top of every digest and pass the backfill
// window's "younger than" test for ever.
const maxFuture = 48 * time.Hour

// unixEpoch is the earliest date taken as real. Nothing on the web was
// published before it, while a null timestamp in a publisher's database
// renders as exactly this instant (or as year 0 or 1), and dates beyond
// year 9999 (or before year 0) cannot be encoded as RFC 3339 at all: a
// digest that held one could not be stored, and every cycle would fail.
var unixEpoch = time.Unix(0, 0).UTC()

// plausibleDate reports a date that can be an item's publication time, as
// read at now: after the Unix epoch and at most maxFuture ahead. Any other
// date counts as unreadable, so the item falls back to the time it was
// first seen, like an item without a date.
func plausibleDate(t, now time.Time) bool {
	return t.After(unixEpoch) && !t.After(now.Add(maxFuture))
}
