package weir

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
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
	plan := explainAnalyze(t, db, `SELECT host, count(*) AS n FROM r
		WHERE status = 200 GROUP BY host, TUMBLE(ts, 1m) HAVING count(*) > 2`)
	for _, want := range []string{
		"Scan r (rows out: 518, skipped: 0)",
		"Filter (rows in: 518, out: 460)",
		"HashAggregate (rows in: 460, out: 41, skipped: 0, late: 0 dropped, 0 partial, state: ",
		"Filter (rows in: 41, out: 39)",
		"events read: 518, skipped: 0",
		"late: 0 dropped, 0 late for some of their windows",
		"windows fired: 41, rows out: 39",
	} {
		require.Contains(t, plan, want)
	}
	require.Regexp(t, `state: [1-9][0-9]* bytes at the peak`, plan)
}

// explainAnalyze runs EXPLAIN ANALYZE of query and returns its lines joined.
func explainAnalyze(t *testing.T, db *DB, query string) string {
	t.Helper()
	rows, err := db.Query(context.Background(), "EXPLAIN ANALYZE "+query)
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
	return strings.Join(lines, "\n")
}

// TestExplainAnalyzePerOperator checks that each operator's line counts what that operator
// did: the source skips the malformed row, the aggregate the row without an event time and
// the late event, and the aggregate alone holds state; the query's totals add them up. With
// two workers, the aggregate's line adds up what its workers counted.
func TestExplainAnalyzePerOperator(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.csv")
	require.NoError(t, os.WriteFile(path, []byte("time,host\n60,a\n61,a\nbad,a\n200,b\n"+
		"10,a\n,c\n260,a\n"), 0o644))
	for _, workers := range []int{1, 2} {
		t.Run(fmt.Sprintf("workers=%d", workers), func(t *testing.T) {
			explainPerOperator(t, path, workers)
		})
	}
}

func explainPerOperator(t *testing.T, path string, workers int) {
	db, err := Open(WithWorkers(workers))
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.Exec(context.Background(), `CREATE STREAM r (time BIGINT,
		host VARCHAR, ts AS to_timestamp(time)) WITH (connector = 'file', path = '`+path+`')`))
	plan := explainAnalyze(t, db, `SELECT host, count(*) AS n FROM r
		GROUP BY host, TUMBLE(ts, 1m)`)
	lines := strings.Split(plan, "\n")
	line := func(prefix string) string {
		for _, l := range lines {
			if strings.HasPrefix(strings.TrimSpace(l), prefix) {
				return strings.TrimSpace(l)
			}
		}
		t.Fatalf("no %s line in\n%s", prefix, plan)
		return ""
	}
	require.Equal(t, "Scan r (rows out: 6, skipped: 1)", line("Scan"))
	require.Regexp(t, `^HashAggregate \(rows in: 6, out: 3, skipped: 1, late: 1 dropped, `+
		`0 partial, state: [1-9][0-9]* bytes at the peak\)$`, line("HashAggregate"))
	require.Equal(t, "Watermark (rows in: 6, out: 6)", line("Watermark"))
	if workers > 1 {
		require.Contains(t, plan, fmt.Sprintf("workers: %d", workers))
	}
	require.Equal(t, "events read: 6, skipped: 2", line("events read"))
	require.Equal(t, "late: 1 dropped, 0 late for some of their windows", line("late:"))
}
