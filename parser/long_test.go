package parser

import (
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// allocated returns the bytes f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestLongExpressionLinear parses and prints flat expressions of 10,000 and 20,000 terms of
// every kind that makes a tree as deep as it is long, and checks that the bytes both take
// grow linearly: twice the terms may take at most 2.5 times the bytes (a printer that
// concatenated its children's text would take four times).
func TestLongExpressionLinear(t *testing.T) {
	chains := map[string]func(n int) string{
		"plus":     func(n int) string { return "1" + strings.Repeat(" + 1", n-1) },
		"cast":     func(n int) string { return "1" + strings.Repeat("::BIGINT", n-1) },
		"is null":  func(n int) string { return "1" + strings.Repeat(" IS NULL", n-1) },
		"distinct": func(n int) string { return "1" + strings.Repeat(" IS DISTINCT FROM 1", n-1) },
		"between":  func(n int) string { return "1" + strings.Repeat(" BETWEEN 1 AND 2", n-1) },
		"like":     func(n int) string { return "'a'" + strings.Repeat(" LIKE 'a'", n-1) },
		"in":       func(n int) string { return "1" + strings.Repeat(" IN (1)", n-1) },
		"in list":  func(n int) string { return "1 IN (1" + strings.Repeat(", 1", n-1) + ")" },
		"case": func(n int) string {
			return "CASE" + strings.Repeat(" WHEN 1 THEN 2", n) + " END"
		},
	}
	const n = 10_000
	for name, chain := range chains {
		t.Run(name, func(t *testing.T) {
			var parsed, printed [2]uint64
			for i, terms := range []int{n, 2 * n} {
				sql := "SELECT " + chain(terms)
				var stmts []*Statement
				parsed[i] = allocated(func() {
					var err error
					stmts, err = Parse(sql)
					require.NoError(t, err)
				})
				var text string
				printed[i] = allocated(func() { text = stmts[0].Query.String() })
				if name == "cast" {
					// x::T prints as CAST(x AS T).
					require.Equal(t, terms-1, strings.Count(text, "CAST("))
				} else {
					require.Equal(t, sql, text)
				}
			}
			require.Less(t, float64(parsed[1]), 2.5*float64(parsed[0]), "parsing: %v", parsed)
			require.Less(t, float64(printed[1]), 2.5*float64(printed[0]), "printing: %v",
				printed)
		})
	}
}

// TestTooManyOperators refuses an expression of more than maxOperators operators, at the
// first operator past the limit.
func TestTooManyOperators(t *testing.T) {
	_, err := Parse("SELECT 1" + strings.Repeat("::BIGINT", maxOperators+1))
	// The (maxOperators+1)-th "::" is at column 9 + 8*maxOperators.
	require.EqualError(t, err, "1:1600009: expression too long (more than 200000 operators)")
}
