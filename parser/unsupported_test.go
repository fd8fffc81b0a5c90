package parser

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestUnsupportedJoin checks that joins, which weir recognises but does not run, are refused
// with an `unsupported:` error at the join.
func TestUnsupportedJoin(t *testing.T) {
	for _, tc := range []struct{ sql, want string }{
		{"SELECT a FROM t JOIN u ON t.x = u.x", "1:17: unsupported: JOIN"},
		{"SELECT a FROM t\nLEFT JOIN u ON true", "2:1: unsupported: JOIN"},
		{"SELECT a FROM t CROSS JOIN u", "1:17: unsupported: JOIN"},
		{"SELECT a FROM t OFFSET 5", "1:17: OFFSET needs a LIMIT before it"},
	} {
		_, err := Parse(tc.sql)
		require.Error(t, err, tc.sql)
		require.Contains(t, err.Error(), tc.want, tc.sql)
	}
}
