package weir

import (
	"context"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/stretchr/testify/require"
)

// TestExplainAnalyze runs a query through EXPLAIN ANALYZE and checks each operator's rows in
// and out and the query's counters.
func TestExplainAnalyze(t *testing.T) {
	ctx := context.Background()
	db, err := Open()
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.Exec(ctx, `CREATE STREAM r (time BIGINT, host VARCHAR,
		status BIGINT, ts AS to_timestamp(time)) WITH (connector = 'file',
		path = 'examples/requests.csv')`))
	rows, err := db.Query(ctx, `EXPLAIN ANALYZE SELECT host, count(*) AS n FROM r
		WHERE status = 200 GROUP BY host, TUMBLE(ts, 1m) HAVING count(*) > 2`)
	require.NoError(t, err)
	defer rows.Close()
	var lines []string
	for rows.Next() {
		col := rows.Batch().Column(0).(*array.String)
		for i := 0; i < col.Len(); i++ {
			lines = append(lines, col.Value(i))
		}
	}
	require.NoError(t, rows.Err())
	plan := strings.Join(lines, "\n")
	for _, want := range []string{
		"Scan r (rows out: 518)",
		"Filter (rows in: 518, out: 460)",
		"HashAggregate (rows in: 460, out: 41)",
		"Filter (rows in: 41, out: 39)",
		"events read: 518, skipped: 0",
		"late: 0 dropped, 0 late for some of their windows",
		"windows fired: 41, rows out: 39",
	} {
		require.Contains(t, plan, want)
	}
	require.Regexp(t, `state: [1-9][0-9]* bytes at the peak`, plan)
}
