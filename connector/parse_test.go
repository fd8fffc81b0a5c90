package connector

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestParseFloatMatchesStrconv checks the fast path for plain decimals against
// strconv.ParseFloat, bit for bit, on edge cases and on random decimals of every length.
func TestParseFloatMatchesStrconv(t *testing.T) {
	cases := []string{"0", "-0", "+0", "0.1", "1.", ".5", "-.5", ".", "-", "", "1e5", "0x10",
		"9007199254740991", "9007199254740992", "9007199254740993", "123456789.123456789",
		"0.000000000000000001", "1234567890123456789", "12345678901234567890", "1.2.3",
		"NaN", "-Inf", "1_0", " 1", "3.14159265358979323846", "99.99", "-12.5"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 100_000 {
		n := 1 + rng.IntN(19)
		b := make([]byte, 0, n+2)
		if rng.IntN(4) == 0 {
			b = append(b, '-')
		}
		dot := rng.IntN(n + 1)
		for i := range n {
			if i == dot {
				b = append(b, '.')
			}
			b = append(b, byte('0'+rng.IntN(10)))
		}
		cases = append(cases, string(b))
	}
	fast := 0
	for _, s := range cases {
		want, err := strconv.ParseFloat(s, 64)
		got, ok := parseFloat([]byte(s))
		require.Equal(t, err == nil, ok, s)
		if _, isFast := parseDecimal([]byte(s)); isFast {
			fast++
		}
		if ok {
			require.Equal(t, math.Float64bits(want), math.Float64bits(got), s)
		}
	}
	require.Greater(t, fast, len(cases)/2, "most random decimals take the fast path")
}
