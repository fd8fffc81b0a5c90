package weir

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestInsertIntoRoundTrip writes a windowed query's result with INSERT INTO in each file
// format and reads it back identical.
func TestInsertIntoRoundTrip(t *testing.T) {
	ctx := context.Background()
	read := func(db *DB, sql string) [][]any {
		rows, err := db.Query(ctx, sql)
		require.NoError(t, err)
		defer rows.Close()
		var out [][]any
		for rows.Next() {
			out = append(out, rows.Values()...)
		}
		require.NoError(t, rows.Err())
		return out
	}
	const query = `SELECT host, window_start, count(*), sum(bytes), avg(latency_ms)
		FROM requests GROUP BY host, TUMBLE(ts, 1m)`
	for _, format := range []string{"csv", "json", "parquet", "arrow"} {
		t.Run(format, func(t *testing.T) {
			db, err := Open()
			require.NoError(t, err)
			defer db.Close()
			path := filepath.Join(t.TempDir(), "out."+format)
			require.NoError(t, db.Exec(ctx, `
				CREATE STREAM requests (time BIGINT, host VARCHAR, status BIGINT,
				  bytes BIGINT, latency_ms DOUBLE, ts AS to_timestamp(time))
				WITH (connector = 'file', path = 'examples/requests.csv');
				CREATE STREAM summary (host VARCHAR, minute TIMESTAMP, n BIGINT,
				  total BIGINT, latency DOUBLE)
				WITH (connector = 'file', path = '`+path+`', format = '`+format+`')`))
			want := read(db, query)
			require.NotEmpty(t, want)
			require.NoError(t, db.Exec(ctx, `INSERT INTO summary `+query))
			got := read(db, `SELECT * FROM summary`)
			require.Equal(t, want, got)
		})
	}
}

func TestInsertIntoErrors(t *testing.T) {
	ctx := context.Background()
	db, err := Open()
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.Exec(ctx, `
		CREATE STREAM src (time BIGINT, host VARCHAR) WITH (connector = 'file',
		  path = 'examples/requests.csv');
		CREATE STREAM sink (host VARCHAR) WITH (connector = 'file',
		  path = '`+filepath.Join(t.TempDir(), "x.csv")+`');
		CREATE STREAM pushed (host VARCHAR)`))
	require.ErrorContains(t, db.Exec(ctx, `INSERT INTO sink SELECT host, time FROM src`),
		"stream sink has 1 columns, the query gives 2")
	require.ErrorContains(t, db.Exec(ctx, `INSERT INTO sink SELECT time FROM src`),
		`column "host" of sink is VARCHAR, the query's column 1 (time) is BIGINT (CAST it)`)
	require.ErrorContains(t, db.Exec(ctx, `INSERT INTO pushed SELECT host FROM src`),
		"INSERT INTO needs a stream declared with connector 'file'")
	require.ErrorContains(t, db.Exec(ctx, `INSERT INTO nope SELECT host FROM src`),
		`1:13: unknown stream "nope"`)
}
