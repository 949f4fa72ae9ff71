package config

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

// sizeUnits are the byte-size suffixes a size may carry, in lower case.
// Sizes are parsed here rather than with a units library: the grammar is
// a whole number and one of six suffixes, and no module in the build
// offers exactly that.
var sizeUnits = map[string]int64{
	"":    1,
	"b":   1,
	"kb":  1000,
	"mb":  1000 * 1000,
	"gb":  1000 * 1000 * 1000,
	"kib": 1 << 10,
	"mib": 1 << 20,
	"gib": 1 << 30,
}

// parseSize parses a positive byte size: a whole number of bytes, or a
// whole number followed by KB, MB, GB (powers of 1000) or KiB, MiB, GiB
// (powers of 1024), in any letter case.
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	digits := len(t) - len(strings.TrimLeft(t, "0123456789"))
	unit := strings.ToLower(strings.TrimSpace(t[digits:]))
	mult, ok := sizeUnits[unit]
	if digits == 0 || !ok {
		return 0, errors.New("expected a size such as 10MiB, 500KB or 4096")
	}
	n, err := strconv.ParseInt(t[:digits], 10, 64)
	if err != nil || n > math.MaxInt64/mult {
		return 0, errors.New("size is too large")
	}
	if n == 0 {
		return 0, errors.New("must be greater than 0")
	}
	return n * mult, nil
}
