package bench

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" driver
)

// Duck is a DuckDB database on one thread, holding the generated events in the table ev.
type Duck struct {
	db   *sql.DB
	conn *sql.Conn
}

// OpenDuck opens an in-memory DuckDB limited to threads threads and loads the CSV file at
// path into the table ev (outside any clock).
func OpenDuck(ctx context.Context, path string, threads int) (*Duck, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, err
	}
	// One connection, so that the settings hold for every statement.
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	d := &Duck{db: db, conn: conn}
	stmts := []string{
		fmt.Sprintf("SET threads = %d", threads),
		"SET TimeZone = 'UTC'",
		"SET preserve_insertion_order = false",
		"CREATE TABLE ev AS SELECT * FROM " + DuckCSV(path),
	}
	for _, s := range stmts {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			d.Close()
			return nil, fmt.Errorf("duckdb: %s: %w", s, err)
		}
	}
	return d, nil
}

// Close closes the database.
func (d *Duck) Close() error {
	d.conn.Close()
	return d.db.Close()
}

// Version is DuckDB's version.
func (d *Duck) Version(ctx context.Context) string {
	var v string
	if err := d.conn.QueryRowContext(ctx, "SELECT version()").Scan(&v); err != nil {
		return "unknown"
	}
	return v
}

// Run runs w over rel (the table ev, or a read_csv of the file), materialising the result in
// a temporary table so that the time is the query's, not the client's; collect reads the rows
// back afterwards, outside the clock.
func (d *Duck) Run(ctx context.Context, w Workload, rel string, events int,
	collect bool) (Result, error) {
	q := "CREATE OR REPLACE TEMP TABLE result AS " + w.DuckQuery(rel)
	res := Result{Events: events}
	start := time.Now()
	cpu0 := cpuTime()
	if _, err := d.conn.ExecContext(ctx, q); err != nil {
		return res, fmt.Errorf("duckdb %s: %w", w.Name, err)
	}
	res.Elapsed = time.Since(start)
	res.CPU = cpuTime() - cpu0
	if err := d.conn.QueryRowContext(ctx, "SELECT count(*) FROM result").
		Scan(&res.RowsOut); err != nil {
		return res, err
	}
	if collect {
		a, err := d.answers(ctx, len(w.Aggs))
		if err != nil {
			return res, err
		}
		res.Answers = a
	}
	return res, nil
}

// answers reads the result table: k, window_start, window_end, then n aggregates.
func (d *Duck) answers(ctx context.Context, n int) (Answers, error) {
	rows, err := d.conn.QueryContext(ctx, "SELECT * FROM result")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := Answers{}
	for rows.Next() {
		var k int64
		var start, end time.Time
		vals := make([]sql.NullFloat64, n)
		dest := []any{&k, &start, &end}
		for i := range vals {
			dest = append(dest, &vals[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		r := Row{End: end.UnixMicro(), Aggs: make([]float64, n)}
		for i, v := range vals {
			r.Aggs[i] = math.NaN()
			if v.Valid {
				r.Aggs[i] = v.Float64
			}
		}
		out[RowKey{K: k, Start: start.UnixMicro()}] = r
	}
	return out, rows.Err()
}
