package weir

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestBuiltinStreamsAreStreams checks that the built-in Nexmark streams are streams to every
// statement that names one: DESCRIBE shows their columns, SHOW STREAMS lists them, and a
// misspelt one gets a suggestion.
func TestBuiltinStreamsAreStreams(t *testing.T) {
	db, err := Open()
	require.NoError(t, err)
	defer db.Close()

	rows, _, _ := query(t, db, `DESCRIBE nexmark.bid`)
	require.Contains(t, rows, "auction | BIGINT | ")
	require.Contains(t, rows, "dateTime | TIMESTAMP | ")

	rows, _, _ = query(t, db, `SHOW STREAMS`)
	require.Equal(t, []string{"nexmark.bid", "nexmark.auction", "nexmark.person"}, rows)

	_, err = db.Query(context.Background(), `SELECT price FROM nexmark.bids`)
	require.ErrorContains(t, err, `unknown stream "nexmark.bids" (did you mean "nexmark.bid"?)`)
	stmts, err := Parse(`DESCRIBE nexmark.bids`)
	require.NoError(t, err)
	_, err = db.Run(context.Background(), stmts[0])
	require.ErrorContains(t, err, `1:10: unknown stream "nexmark.bids" (did you mean `+
		`"nexmark.bid"?)`)
}
