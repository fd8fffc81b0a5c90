package bench

import (
	"fmt"
	"strings"
)

// Workload is one of the four windowed aggregations of the performance issue, written for
// weir and for DuckDB. Both queries return the columns k, window_start, window_end, then the
// aggregates in the same order.
type Workload struct {
	Name    string
	Summary string
	Weir    string // over the stream ev
	// Duck is DuckDB's query over the relation named by {ev}: a table or read_csv(...).
	Duck string
	Aggs []string // the aggregate columns after the window bounds
}

// WeirStream declares the stream the weir queries read, fed by the program (in memory) or by
// the file at path (from CSV) when path is not empty.
func WeirStream(path string) string {
	s := `CREATE STREAM ev (ts TIMESTAMP, k BIGINT, v DOUBLE,
		WATERMARK FOR ts AS ts - INTERVAL '` + Delay + `' SECOND)`
	if path != "" {
		s += fmt.Sprintf(" WITH (connector = 'file', path = '%s', format = 'csv')", path)
	}
	return s
}

// DuckCSV is DuckDB's relation over the CSV file at path, with the columns declared.
func DuckCSV(path string) string {
	return fmt.Sprintf("read_csv('%s', header = true, "+
		"columns = {'ts': 'TIMESTAMP', 'k': 'BIGINT', 'v': 'DOUBLE'})", path)
}

// Workloads are the four queries.
var Workloads = []Workload{
	{
		Name:    "tumble",
		Summary: "count, sum, avg per key and 1-minute TUMBLE",
		Weir: `SELECT k, window_start, window_end, count(*) AS n, sum(v) AS s, avg(v) AS a
			FROM ev GROUP BY k, TUMBLE(ts, 1m)`,
		Duck: `SELECT k, ws AS window_start, ws + INTERVAL 1 MINUTE AS window_end,
			count(*) AS n, sum(v) AS s, avg(v) AS a
			FROM (SELECT k, v, time_bucket(INTERVAL 1 MINUTE, ts) AS ws FROM {ev})
			GROUP BY k, ws`,
		Aggs: []string{"n", "s", "a"},
	},
	{
		Name:    "tumble_p99",
		Summary: "the same plus p99 and stddev",
		Weir: `SELECT k, window_start, window_end, count(*) AS n, sum(v) AS s, avg(v) AS a,
			p99(v) AS p99, stddev(v) AS sd
			FROM ev GROUP BY k, TUMBLE(ts, 1m)`,
		Duck: `SELECT k, ws AS window_start, ws + INTERVAL 1 MINUTE AS window_end,
			count(*) AS n, sum(v) AS s, avg(v) AS a,
			approx_quantile(v, 0.99) AS p99, stddev(v) AS sd
			FROM (SELECT k, v, time_bucket(INTERVAL 1 MINUTE, ts) AS ws FROM {ev})
			GROUP BY k, ws`,
		Aggs: []string{"n", "s", "a", "p99", "sd"},
	},
	{
		Name:    "hop",
		Summary: "count, sum, avg per key and 5-minute HOP sliding 1 minute",
		Weir: `SELECT k, window_start, window_end, count(*) AS n, sum(v) AS s, avg(v) AS a
			FROM ev GROUP BY k, HOP(ts, 1m, 5m)`,
		// Each event is in the five windows starting at its minute and the four before.
		Duck: `SELECT k, ws AS window_start, ws + INTERVAL 5 MINUTE AS window_end,
			count(*) AS n, sum(v) AS s, avg(v) AS a
			FROM (SELECT k, v, time_bucket(INTERVAL 1 MINUTE, ts) - to_minutes(i) AS ws
			      FROM {ev}, range(5) AS r(i))
			GROUP BY k, ws`,
		Aggs: []string{"n", "s", "a"},
	},
	{
		Name:    "session",
		Summary: "count, sum, avg per key and 30-second SESSION",
		Weir: `SELECT k, window_start, window_end, count(*) AS n, sum(v) AS s, avg(v) AS a
			FROM ev GROUP BY k, SESSION(ts, 30s)`,
		// A new session starts where the gap to the key's previous event exceeds 30 s.
		Duck: `SELECT k, min(ts) AS window_start, max(ts) + INTERVAL 30 SECOND AS window_end,
			count(*) AS n, sum(v) AS s, avg(v) AS a
			FROM (SELECT k, ts, v, sum(brk) OVER (PARTITION BY k ORDER BY ts
			                                     ROWS UNBOUNDED PRECEDING) AS sid
			      FROM (SELECT k, ts, v,
			              CASE WHEN ts - lag(ts) OVER (PARTITION BY k ORDER BY ts)
			                        <= INTERVAL 30 SECOND THEN 0 ELSE 1 END AS brk
			            FROM {ev}))
			GROUP BY k, sid`,
		Aggs: []string{"n", "s", "a"},
	},
}

// Lookup returns the workload of a name.
func Lookup(name string) (Workload, bool) {
	for _, w := range Workloads {
		if w.Name == name {
			return w, true
		}
	}
	return Workload{}, false
}

// DuckQuery is w's DuckDB query over the relation rel.
func (w Workload) DuckQuery(rel string) string {
	return strings.ReplaceAll(w.Duck, "{ev}", rel)
}
