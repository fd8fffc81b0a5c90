package functions

import (
	"math"
	"strconv"
)

// FormatDouble writes f in the shortest decimal form that reads back as the same value:
// without an exponent when 1e-6 <= |f| < 1e21 (and for zero), with one otherwise, and NaN,
// Infinity and -Infinity for the special values (1000000, 0.25, 1e-07, 1e+21).
func FormatDouble(f float64) string {
	return string(AppendDouble(nil, f))
}

// AppendDouble appends FormatDouble(f) to dst and returns the extended slice.
func AppendDouble(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(f, -1):
		return append(dst, "-Infinity"...)
	}
	if a := math.Abs(f); a == 0 || a >= 1e-6 && a < 1e21 {
		return strconv.AppendFloat(dst, f, 'f', -1, 64)
	}
	return strconv.AppendFloat(dst, f, 'e', -1, 64)
}
