package weir

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"
)

// Tests of the analytic functions through the whole engine, over raw events and over the rows
// of windowed queries, each value checked against a computation in Go straight from the
// functions' definitions: the rows of a frame are gathered by index, then summed, counted and
// compared in plain loops.

// anEvent is one event of these tests.
type anEvent struct {
	id int64
	t  int64 // µs
	k  string
	v  float64
	ok bool // false: v is NULL
}

var anBase = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()

// analyticEvents makes n events over the keys, in time order, 0 to 3 seconds apart (so that
// some share a time), with small integer values (so that sums are exact), one in eight NULL
// and, when nan is set, one in twelve NaN.
func analyticEvents(n int, keys string, nan bool, seed uint64) []anEvent {
	r := rand.New(rand.NewPCG(seed, 7))
	out := make([]anEvent, n)
	t := anBase
	for i := range out {
		t += int64(r.IntN(4)) * 1_000_000
		e := anEvent{id: int64(i), t: t, k: string(keys[r.IntN(len(keys))]),
			v: float64(r.IntN(21) - 5), ok: r.IntN(8) != 0}
		if nan && r.IntN(12) == 0 {
			e.v, e.ok = math.NaN(), true
		}
		out[i] = e
	}
	return out
}

// runOverEvents runs q over a stream ev (id BIGINT, ts TIMESTAMP, k VARCHAR, v DOUBLE) into
// which the events are pushed in batches of 1 to 30 rows, and returns its rows as Go values.
func runOverEvents(t *testing.T, q string, events []anEvent) [][]any {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	db, err := Open(WithAllocator(mem))
	require.NoError(t, err)
	defer db.Close()
	ctx := context.Background()
	require.NoError(t, db.Exec(ctx,
		`CREATE STREAM ev (id BIGINT, ts TIMESTAMP, k VARCHAR, v DOUBLE)`))
	rows, err := db.Query(ctx, q)
	require.NoError(t, err, q)
	defer rows.Close()
	app, err := db.Appender("ev")
	require.NoError(t, err)
	pushed := make(chan error, 1)
	go func() {
		r := rand.New(rand.NewPCG(1, 2))
		next := 1 + r.IntN(30)
		for i, e := range events {
			var v any
			if e.ok {
				v = e.v
			}
			if err := app.AppendRow(e.id, time.UnixMicro(e.t).UTC(), e.k, v); err != nil {
				pushed <- err
				return
			}
			if i+1 == next {
				if err := app.Flush(); err != nil {
					pushed <- err
					return
				}
				next += 1 + r.IntN(30)
			}
		}
		pushed <- app.Close()
	}()
	var out [][]any
	for rows.Next() {
		out = append(out, rows.Values()...)
	}
	require.NoError(t, rows.Err(), q)
	require.NoError(t, <-pushed)
	require.NoError(t, rows.Close())
	return out
}

// refRow is a row an analytic function runs over: an event, or the row of a window.
type refRow struct {
	id         int64 // the event's id, or the row's place in the windowed query's output
	key        string
	start, end int64 // the order time, and where the row ends (the same for an event)
	v          float64
	ok         bool
}

// refFrame is a frame clause and what it means.
type refFrame struct {
	sql    string
	kind   string // "all" (every row up to the current one), "rows" or "range"
	lo, hi int    // rows: lo to hi rows back
	r      int64  // range: µs back
	// peers: a RANGE frame (or the default), which reaches the rows after the current one
	// with its order time, as in SQL.
	peers bool
}

var refFrames = []refFrame{
	{sql: "", kind: "all", peers: true},
	{sql: "ROWS UNBOUNDED PRECEDING", kind: "all"},
	{sql: "RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW", kind: "all", peers: true},
	{sql: "ROWS CURRENT ROW", kind: "rows"},
	{sql: "ROWS 3 PRECEDING", kind: "rows", lo: 3},
	{sql: "ROWS BETWEEN 4 PRECEDING AND 1 PRECEDING", kind: "rows", lo: 4, hi: 1},
	{sql: "ROWS BETWEEN 1 PRECEDING AND 1 PRECEDING", kind: "rows", lo: 1, hi: 1},
	{sql: "RANGE INTERVAL '10' SECOND PRECEDING", kind: "range", r: 10_000_000, peers: true},
	{sql: "RANGE 4s PRECEDING", kind: "range", r: 4_000_000, peers: true},
}

// rows returns the frame of row i of a partition (its rows in order).
func (f refFrame) rows(part []refRow, i int) []refRow {
	last := i
	for f.peers && last+1 < len(part) && part[last+1].start == part[i].start {
		last++
	}
	switch f.kind {
	case "rows":
		return part[max(0, i-f.lo):max(0, i-f.hi+1)]
	case "range":
		var out []refRow
		for _, x := range part[:last+1] {
			if x.start >= part[i].start-f.r {
				out = append(out, x)
			}
		}
		return out
	}
	return part[:last+1]
}

// seconds is the time the frame of row i covers, for rate.
func (f refFrame) seconds(part []refRow, i int) float64 {
	if f.kind == "range" {
		return float64(part[i].end-(part[i].start-f.r)) / 1e6
	}
	rows := f.rows(part, i)
	if len(rows) == 0 {
		return 0
	}
	end := rows[0].end
	for _, x := range rows {
		end = max(end, x.end)
	}
	return float64(end-rows[0].start) / 1e6
}

// refValue computes a frame function for row i of its partition; nil is NULL.
func refValue(fn string, part []refRow, i int, f refFrame) any {
	frame := f.rows(part, i)
	var vals []float64
	for _, x := range frame {
		if x.ok {
			vals = append(vals, x.v)
		}
	}
	n := float64(len(vals))
	sum := 0.0
	for _, x := range vals {
		sum += x
	}
	mean := sum / n
	sd := func() (float64, bool) {
		if len(vals) < 2 {
			return 0, false
		}
		ss := 0.0
		for _, x := range vals {
			ss += (x - mean) * (x - mean)
		}
		return math.Sqrt(ss / (n - 1)), true
	}
	switch fn {
	case "count(*)":
		return int64(len(frame))
	case "count":
		return int64(len(vals))
	case "rate()":
		if s := f.seconds(part, i); len(frame) > 0 && s > 0 {
			return float64(len(frame)) / s
		}
		return nil
	case "zscore":
		s, ok := sd()
		if !part[i].ok || !ok || s == 0 {
			return nil
		}
		return (part[i].v - mean) / s
	}
	if len(vals) == 0 {
		return nil
	}
	switch fn {
	case "sum":
		return sum
	case "avg":
		return mean
	case "stddev":
		if s, ok := sd(); ok {
			return s
		}
		return nil
	case "rate":
		if s := f.seconds(part, i); s > 0 {
			return sum / s
		}
		return nil
	case "min":
		lo := math.NaN()
		for _, x := range vals {
			if !math.IsNaN(x) && (math.IsNaN(lo) || x < lo) {
				lo = x
			}
		}
		return lo
	case "max":
		hi := vals[0]
		for _, x := range vals {
			if math.IsNaN(x) || x > hi {
				hi = x
			}
			if math.IsNaN(hi) {
				break
			}
		}
		return hi
	}
	panic("no reference for " + fn)
}

// frameFns are the frame functions as the queries call them (v is the value) and as
// refValue names them.
var frameFns = []struct{ call, ref string }{
	{"avg(v)", "avg"}, {"sum(v)", "sum"}, {"count(v)", "count"}, {"count(*)", "count(*)"},
	{"min(v)", "min"}, {"max(v)", "max"}, {"stddev(v)", "stddev"}, {"zscore(v)", "zscore"},
	{"rate(v)", "rate"}, {"rate()", "rate()"},
}

// partitions groups rows by key, keeping their order.
func partitions(rows []refRow) map[string][]refRow {
	out := map[string][]refRow{}
	for _, r := range rows {
		out[r.key] = append(out[r.key], r)
	}
	return out
}

func eventRows(events []anEvent) []refRow {
	out := make([]refRow, len(events))
	for i, e := range events {
		out[i] = refRow{id: e.id, key: e.k, start: e.t, end: e.t, v: e.v, ok: e.ok}
	}
	return out
}

// requireSame checks one value against the reference: NULL as nil, NaN equal to NaN, DOUBLE
// within a relative 1e-9.
func requireSame(t *testing.T, want, got any, msg string, args ...any) {
	t.Helper()
	if want == nil || got == nil {
		require.Equal(t, want, got, append([]any{msg}, args...)...)
		return
	}
	w, wok := want.(float64)
	g, gok := got.(float64)
	if !wok || !gok {
		require.Equal(t, want, got, append([]any{msg}, args...)...)
		return
	}
	if math.IsNaN(w) || math.IsNaN(g) {
		require.True(t, math.IsNaN(w) && math.IsNaN(g),
			append([]any{"want %v, got %v: " + msg, w, g}, args...)...)
		return
	}
	require.InDelta(t, w, g, 1e-9*max(1, math.Abs(w)), append([]any{msg}, args...)...)
}

// TestAnalyticFramesOverEvents runs every frame function with every kind of frame over raw
// events partitioned by key and ordered by time, with NULLs, and with NaNs.
func TestAnalyticFramesOverEvents(t *testing.T) {
	for _, nan := range []bool{false, true} {
		events := analyticEvents(300, "abc", nan, 1)
		parts := partitions(eventRows(events))
		for _, f := range refFrames {
			t.Run(fmt.Sprintf("nan=%v/%s", nan, f.sql), func(t *testing.T) {
				var calls []string
				for _, fn := range frameFns {
					calls = append(calls, fmt.Sprintf("%s OVER (PARTITION BY k ORDER BY ts %s)",
						fn.call, f.sql))
				}
				got := runOverEvents(t, "SELECT id, k, "+strings.Join(calls, ", ")+
					" FROM ev", events)
				require.Len(t, got, len(events))
				place := map[string]int{}
				for r, row := range got {
					require.Equal(t, int64(r), row[0], "rows keep their arrival order")
					k := row[1].(string)
					i := place[k]
					place[k]++
					for c, fn := range frameFns {
						requireSame(t, refValue(fn.ref, parts[k], i, f), row[2+c],
							"%s of event %d", fn.call, row[0])
					}
				}
			})
		}
	}
}

// refShift is lag (n > 0 rows back) or lead (n < 0: -n rows ahead) of row i: the value, NULL
// as nil, or def when the partition has no such row.
func refShift(part []refRow, i, n int, def any) any {
	j := i - n
	if j < 0 || j >= len(part) {
		return def
	}
	if !part[j].ok {
		return nil
	}
	return part[j].v
}

// refRank is the rank of row i ordered by start: one more than the rows before it.
func refRank(part []refRow, i int) int64 {
	r := int64(1)
	for _, x := range part {
		if x.start < part[i].start {
			r++
		}
	}
	return r
}

// refEMA is the exponential moving average of the non-NULL values up to row i.
func refEMA(part []refRow, i int, alpha float64) any {
	var ema any
	for _, x := range part[:i+1] {
		switch {
		case !x.ok:
		case ema == nil:
			ema = x.v
		default:
			ema = alpha*x.v + (1-alpha)*ema.(float64)
		}
	}
	return ema
}

// TestAnalyticPositionsOverEvents checks lag, row_number, rank and ema over raw events: lag
// returns a NULL value as it is and its default where there is no earlier row.
func TestAnalyticPositionsOverEvents(t *testing.T) {
	events := analyticEvents(300, "abc", true, 2)
	parts := partitions(eventRows(events))
	got := runOverEvents(t, `SELECT id, k,
		lag(v) OVER (PARTITION BY k ORDER BY ts),
		lag(v, 2, -1) OVER (PARTITION BY k ORDER BY ts),
		lag(v, 0) OVER (PARTITION BY k ORDER BY ts),
		lag(id, 1, id * 10) OVER (PARTITION BY k ORDER BY ts),
		lag(k) OVER (ORDER BY ts),
		row_number() OVER (PARTITION BY k ORDER BY ts),
		row_number() OVER (),
		rank() OVER (PARTITION BY k ORDER BY ts),
		ema(v, 0.25) OVER (PARTITION BY k ORDER BY ts)
		FROM ev`, events)
	require.Len(t, got, len(events))
	place := map[string]int{}
	for r, row := range got {
		require.Equal(t, int64(r), row[0])
		k := row[1].(string)
		i := place[k]
		place[k]++
		part := parts[k]
		msg := fmt.Sprintf("event %d", r)
		requireSame(t, refShift(part, i, 1, nil), row[2], "lag(v), "+msg)
		requireSame(t, refShift(part, i, 2, -1.0), row[3], "lag(v, 2, -1), "+msg)
		requireSame(t, refShift(part, i, 0, nil), row[4], "lag(v, 0), "+msg)
		wantID := int64(r) * 10
		if i > 0 {
			wantID = part[i-1].id
		}
		require.Equal(t, wantID, row[5], "lag(id, 1, id * 10), "+msg)
		if r == 0 {
			require.Nil(t, row[6], msg)
		} else {
			require.Equal(t, events[r-1].k, row[6], "lag(k) unpartitioned, "+msg)
		}
		require.Equal(t, int64(i+1), row[7], "row_number, "+msg)
		require.Equal(t, int64(r+1), row[8], "row_number over everything, "+msg)
		require.Equal(t, refRank(part, i), row[9], "rank, "+msg)
		requireSame(t, refEMA(part, i, 0.25), row[10], "ema, "+msg)
	}
}

// refLeadOrder is the order in which the rows of a lead query over rows come out: a row waits
// for the row n after it in its partition (the last rows for the end), and rows come out by
// the arrival of the row that completes them, then by their own. place is each row's place
// in arrival order.
func refLeadOrder(rows []refRow, n int, place func(refRow) int) []refRow {
	parts := partitions(rows)
	done := map[int64]int{}
	for _, part := range parts {
		for i, x := range part {
			done[x.id] = math.MaxInt
			if i+n < len(part) {
				done[x.id] = place(part[i+n])
			}
		}
	}
	out := slices.Clone(rows)
	sort.SliceStable(out, func(a, b int) bool {
		da, db := done[out[a].id], done[out[b].id]
		if da != db {
			return da < db
		}
		return place(out[a]) < place(out[b])
	})
	return out
}

// TestAnalyticLeadOverEvents checks lead over raw events partitioned by key: every row waits
// for the row 2 after it in its partition, comes out when that row arrives, and the rows left
// at the end get the defaults.
func TestAnalyticLeadOverEvents(t *testing.T) {
	events := analyticEvents(300, "abcd", true, 3)
	rows := eventRows(events)
	parts := partitions(rows)
	got := runOverEvents(t, `SELECT id, k,
		lead(v) OVER (PARTITION BY k ORDER BY ts),
		lead(v, 2, -1) OVER (PARTITION BY k ORDER BY ts),
		lead(ts) OVER (PARTITION BY k ORDER BY ts),
		lead(k, 0) OVER (PARTITION BY k ORDER BY ts),
		lag(v) OVER (PARTITION BY k ORDER BY ts),
		sum(v) OVER (PARTITION BY k ORDER BY ts ROWS 1 PRECEDING)
		FROM ev`, events)
	want := refLeadOrder(rows, 2, func(r refRow) int { return int(r.id) })
	require.Len(t, got, len(want))
	place := map[int64]int{}
	for _, part := range parts {
		for i, x := range part {
			place[x.id] = i
		}
	}
	for r, row := range got {
		require.Equal(t, want[r].id, row[0], "row %d comes out in its place", r)
		k := row[1].(string)
		part, i := parts[k], place[row[0].(int64)]
		msg := fmt.Sprintf("event %d", row[0])
		requireSame(t, refShift(part, i, -1, nil), row[2], "lead(v), "+msg)
		requireSame(t, refShift(part, i, -2, -1.0), row[3], "lead(v, 2, -1), "+msg)
		if i+1 < len(part) {
			require.Equal(t, time.UnixMicro(part[i+1].start).UTC(), row[4], "lead(ts), "+msg)
		} else {
			require.Nil(t, row[4], "lead(ts), "+msg)
		}
		require.Equal(t, k, row[5], "lead(k, 0), "+msg)
		requireSame(t, refShift(part, i, 1, nil), row[6], "lag(v), "+msg)
		requireSame(t, refValue("sum", part, i, refFrame{kind: "rows", lo: 1}), row[7],
			"sum(v), "+msg)
	}
}

// TestAnalyticEmptyInput checks that analytic queries over no events return no rows.
func TestAnalyticEmptyInput(t *testing.T) {
	for _, q := range []string{
		`SELECT id, zscore(v) OVER (PARTITION BY k ORDER BY ts ROWS 5 PRECEDING) FROM ev`,
		`SELECT id, lead(v) OVER (PARTITION BY k ORDER BY ts) FROM ev`,
		`SELECT k, lead(count(*)) OVER (PARTITION BY k ORDER BY window_start),
			rate(count(*)) OVER (PARTITION BY k ORDER BY window_start)
		FROM ev GROUP BY k, TUMBLE(ts, 10s)`,
	} {
		require.Empty(t, runOverEvents(t, q, nil), q)
	}
}

// windowRows are the rows of SELECT k, count(*), sum(v) ... GROUP BY k, TUMBLE(ts, size) over
// the events, in the order a windowed query emits them (window_start, then key), with sum(v)
// as their value; counts holds count(*) by id.
func windowRows(events []anEvent, size int64) (rows []refRow, counts []int64) {
	type win struct {
		k     string
		start int64
	}
	byWin := map[win]*refRow{}
	n := map[win]int64{}
	for _, e := range events {
		w := win{e.k, e.t - ((e.t%size)+size)%size}
		r := byWin[w]
		if r == nil {
			r = &refRow{key: e.k, start: w.start, end: w.start + size}
			byWin[w] = r
		}
		n[w]++
		if e.ok {
			r.v += e.v
			r.ok = true
		}
	}
	for _, r := range byWin {
		rows = append(rows, *r)
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].start != rows[j].start {
			return rows[i].start < rows[j].start
		}
		return rows[i].key < rows[j].key
	})
	for i := range rows {
		rows[i].id = int64(i)
		counts = append(counts, n[win{rows[i].key, rows[i].start}])
	}
	return rows, counts
}

// placeOf maps each window row to its place in its partition and in the output.
func placeOf(rows []refRow) (inPart map[int64]int, byWindow map[string]int64) {
	inPart, byWindow = map[int64]int{}, map[string]int64{}
	for _, part := range partitions(rows) {
		for i, x := range part {
			inPart[x.id] = i
		}
	}
	for _, r := range rows {
		byWindow[fmt.Sprint(r.key, r.start)] = r.id
	}
	return inPart, byWindow
}

// TestAnalyticFramesOverWindows runs every frame function with every kind of frame over the
// rows of a windowed query, per key in window_start order: sum(v) of a window is NULL when all
// its values are, NaN when one is.
func TestAnalyticFramesOverWindows(t *testing.T) {
	const size = 10_000_000
	for _, nan := range []bool{false, true} {
		events := analyticEvents(400, "abc", nan, 4)
		rows, _ := windowRows(events, size)
		parts := partitions(rows)
		inPart, byWindow := placeOf(rows)
		for _, f := range refFrames {
			if f.kind == "range" {
				f.r *= 3 // 30s or 12s: several windows
				f.sql = strings.Replace(strings.Replace(f.sql, "'10'", "'30'", 1), "4s",
					"12s", 1)
			}
			t.Run(fmt.Sprintf("nan=%v/%s", nan, f.sql), func(t *testing.T) {
				var calls []string
				for _, fn := range frameFns {
					call := strings.Replace(fn.call, "(v)", "(sum(v))", 1)
					calls = append(calls, fmt.Sprintf("%s OVER (PARTITION BY k ORDER BY "+
						"window_start %s)", call, f.sql))
				}
				got := runOverEvents(t, "SELECT k, window_start, "+strings.Join(calls, ", ")+
					" FROM ev GROUP BY k, TUMBLE(ts, 10s)", events)
				require.Len(t, got, len(rows))
				for r, row := range got {
					id := byWindow[fmt.Sprint(row[0], row[1].(time.Time).UnixMicro())]
					require.Equal(t, int64(r), id, "rows come out by window, then key")
					part, i := parts[rows[id].key], inPart[id]
					for c, fn := range frameFns {
						requireSame(t, refValue(fn.ref, part, i, f), row[2+c],
							"%s of window %v %s", fn.call, row[1], row[0])
					}
				}
			})
		}
	}
}

// TestAnalyticRateMatchesAggregate checks that rate OVER a frame of the current window row
// alone is the aggregate rate of the window, for TUMBLE and SESSION (whose lengths vary).
func TestAnalyticRateMatchesAggregate(t *testing.T) {
	events := analyticEvents(300, "ab", false, 5)
	for _, window := range []string{"TUMBLE(ts, 10s)", "SESSION(ts, 2s)"} {
		got := runOverEvents(t, `SELECT rate(v), rate(),
			rate(sum(v)) OVER (PARTITION BY k ORDER BY window_start ROWS CURRENT ROW),
			rate(count(*)) OVER (PARTITION BY k ORDER BY window_start ROWS CURRENT ROW),
			rate() OVER (PARTITION BY k ORDER BY window_start ROWS CURRENT ROW),
			epoch(window_end) - epoch(window_start)
			FROM ev GROUP BY k, `+window, events)
		require.NotEmpty(t, got)
		for _, row := range got {
			requireSame(t, row[0], row[2], window)
			requireSame(t, row[1], row[3], window)
			requireSame(t, 1/row[5].(float64), row[4], window)
		}
	}
}

// TestAnalyticPositionsOverWindows checks lag, lead, row_number, rank and ema over the rows of
// a windowed query, per key in window_start order. A row waits for the row 2 windows after it
// of its key and comes out in the firing of that window; the rest come out at the end.
func TestAnalyticPositionsOverWindows(t *testing.T) {
	events := analyticEvents(400, "abcd", true, 6)
	rows, counts := windowRows(events, 10_000_000)
	parts := partitions(rows)
	inPart, byWindow := placeOf(rows)
	got := runOverEvents(t, `SELECT k, window_start, count(*) AS n,
		lead(count(*)) OVER (PARTITION BY k ORDER BY window_start) AS next,
		lead(sum(v), 2, 0) OVER (PARTITION BY k ORDER BY window_start),
		lag(sum(v)) OVER (PARTITION BY k ORDER BY window_start),
		lag(count(*), 2, -1) OVER (PARTITION BY k ORDER BY window_start),
		row_number() OVER (PARTITION BY k ORDER BY window_start),
		rank() OVER (ORDER BY window_start),
		ema(sum(v), 0.5) OVER (PARTITION BY k ORDER BY window_start)
		FROM ev GROUP BY k, TUMBLE(ts, 10s)`, events)
	want := refLeadOrder(rows, 2, func(r refRow) int { return int(r.id) })
	require.Len(t, got, len(want))
	for r, row := range got {
		id := byWindow[fmt.Sprint(row[0], row[1].(time.Time).UnixMicro())]
		require.Equal(t, want[r].id, id, "row %d comes out in its place", r)
		part, i := parts[rows[id].key], inPart[id]
		msg := fmt.Sprintf("window %v %s", row[1], row[0])
		require.Equal(t, counts[id], row[2], msg)
		var next any
		if i+1 < len(part) {
			next = counts[part[i+1].id]
		}
		require.Equal(t, next, row[3], "lead(count(*)), "+msg)
		requireSame(t, refShift(part, i, -2, 0.0), row[4], "lead(sum(v), 2, 0), "+msg)
		requireSame(t, refShift(part, i, 1, nil), row[5], "lag(sum(v)), "+msg)
		lag := int64(-1)
		if i >= 2 {
			lag = counts[part[i-2].id]
		}
		require.Equal(t, lag, row[6], "lag(count(*), 2, -1), "+msg)
		require.Equal(t, int64(i+1), row[7], "row_number, "+msg)
		require.Equal(t, refRank(rows, int(id)), row[8], "rank over every key, "+msg)
		requireSame(t, refEMA(part, i, 0.5), row[9], "ema, "+msg)
	}
}

// TestAnalyticPerWindow checks functions partitioned by the window: each window's rows are
// taken as a whole, sorted by ORDER BY (ties in arrival order, that is by key), and a RANGE
// or default frame reaches the current row's peers, as SQL does.
func TestAnalyticPerWindow(t *testing.T) {
	events := analyticEvents(500, "abcdef", false, 7)
	events[0].ok = false // a window whose sum(v) is NULL for one key
	rows, counts := windowRows(events, 10_000_000)
	_, byWindow := placeOf(rows)
	got := runOverEvents(t, `SELECT k, window_start, count(*) AS n,
		sum(count(*)) OVER (PARTITION BY window_start),
		count(*) OVER (PARTITION BY window_start, window_end),
		sum(count(*)) OVER (PARTITION BY window_start ORDER BY count(*)),
		sum(count(*)) OVER (PARTITION BY window_start ORDER BY count(*) ROWS 1 PRECEDING),
		rank() OVER (PARTITION BY window_start ORDER BY count(*) DESC),
		row_number() OVER (PARTITION BY window_start ORDER BY count(*) DESC),
		lead(k) OVER (PARTITION BY window_start ORDER BY count(*) DESC),
		lag(k, 1, '-') OVER (PARTITION BY window_start ORDER BY count(*) DESC),
		max(sum(v)) OVER (PARTITION BY window_start)
		FROM ev GROUP BY k, TUMBLE(ts, 10s)`, events)
	require.Len(t, got, len(rows))
	windows := map[int64][]refRow{}
	for _, r := range rows {
		windows[r.start] = append(windows[r.start], r)
	}
	for r, row := range got {
		id := byWindow[fmt.Sprint(row[0], row[1].(time.Time).UnixMicro())]
		require.Equal(t, int64(r), id, "rows keep the firing's order")
		msg := fmt.Sprintf("window %v %s", row[1], row[0])
		win := windows[rows[id].start]
		n := counts[id]
		total, peersUpTo, best := int64(0), int64(0), math.Inf(-1)
		for _, x := range win {
			total += counts[x.id]
			if counts[x.id] <= n {
				peersUpTo += counts[x.id]
			}
			if x.ok {
				best = math.Max(best, x.v)
			}
		}
		// The rows by count descending, ties by key; asc is by count ascending.
		desc := slices.Clone(win)
		sort.SliceStable(desc, func(a, b int) bool { return counts[desc[a].id] > counts[desc[b].id] })
		asc := slices.Clone(win)
		sort.SliceStable(asc, func(a, b int) bool { return counts[asc[a].id] < counts[asc[b].id] })
		d := slices.IndexFunc(desc, func(x refRow) bool { return x.id == id })
		a := slices.IndexFunc(asc, func(x refRow) bool { return x.id == id })
		rank := int64(1)
		for _, x := range win {
			if counts[x.id] > n {
				rank++
			}
		}
		two := n
		if a > 0 {
			two += counts[asc[a-1].id]
		}
		var lead, lag any = nil, "-"
		if d+1 < len(desc) {
			lead = desc[d+1].key
		}
		if d > 0 {
			lag = desc[d-1].key
		}
		require.Equal(t, total, int64(row[3].(float64)), "sum over the window, "+msg)
		require.Equal(t, int64(len(win)), row[4], "count over the window, "+msg)
		require.Equal(t, peersUpTo, int64(row[5].(float64)), "running sum with peers, "+msg)
		require.Equal(t, two, int64(row[6].(float64)), "ROWS 1 PRECEDING, "+msg)
		require.Equal(t, rank, row[7], "rank, "+msg)
		require.Equal(t, int64(d+1), row[8], "row_number, "+msg)
		require.Equal(t, lead, row[9], "lead(k), "+msg)
		require.Equal(t, lag, row[10], "lag(k, 1, '-'), "+msg)
		requireSame(t, best, row[11], "max(sum(v)), "+msg)
	}
}

// TestAnalyticFiltered checks that analytic results can be filtered with QUALIFY (naming the
// call or its alias) and in an outer query, over events and over windows, lead included.
func TestAnalyticFiltered(t *testing.T) {
	events := analyticEvents(400, "abc", false, 8)
	parts := partitions(eventRows(events))
	place := map[int64]int{}
	for _, part := range parts {
		for i, x := range part {
			place[x.id] = i
		}
	}
	frame := refFrame{kind: "rows", lo: 5, hi: 1}
	var wantZ, wantUp []int64
	for _, e := range events {
		part, i := parts[e.k], place[e.id]
		if z, ok := refValue("zscore", part, i, frame).(float64); ok && math.Abs(z) > 1 {
			wantZ = append(wantZ, e.id)
		}
		if next, ok := refShift(part, i, -1, nil).(float64); ok && e.ok && next > e.v {
			wantUp = append(wantUp, e.id)
		}
	}
	ids := func(rows [][]any) []int64 {
		var out []int64
		for _, r := range rows {
			out = append(out, r[0].(int64))
		}
		return out
	}
	for _, q := range []string{
		`SELECT id, zscore(v) OVER (PARTITION BY k ORDER BY ts
			ROWS BETWEEN 5 PRECEDING AND 1 PRECEDING) AS z
		FROM ev QUALIFY abs(z) > 1`,
		`SELECT id FROM ev QUALIFY abs(zscore(v) OVER (PARTITION BY k ORDER BY ts
			ROWS BETWEEN 5 PRECEDING AND 1 PRECEDING)) > 1`,
		`SELECT id FROM (SELECT id, zscore(v) OVER (PARTITION BY k ORDER BY ts
			ROWS BETWEEN 5 PRECEDING AND 1 PRECEDING) AS z FROM ev) WHERE abs(z) > 1`,
	} {
		require.Equal(t, wantZ, ids(runOverEvents(t, q, events)), q)
	}

	// lead: rows come out when their next row arrives; the test compares them as sets.
	for _, q := range []string{
		`SELECT id, v, lead(v) OVER (PARTITION BY k ORDER BY ts) AS next FROM ev
		QUALIFY next > v`,
		`SELECT id FROM (SELECT id, v, lead(v) OVER (PARTITION BY k ORDER BY ts) AS next
		FROM ev) WHERE next > v`,
	} {
		got := ids(runOverEvents(t, q, events))
		slices.Sort(got)
		require.Equal(t, wantUp, got, q)
	}

	rows, counts := windowRows(events, 10_000_000)
	wparts := partitions(rows)
	var wantWin []string
	for _, part := range wparts {
		for i, x := range part {
			if i+1 < len(part) && counts[part[i+1].id] > counts[x.id] {
				wantWin = append(wantWin, fmt.Sprint(x.key, " ", x.start))
			}
		}
	}
	slices.Sort(wantWin)
	got := runOverEvents(t, `SELECT k, window_start, count(*) AS n,
		lead(count(*)) OVER (PARTITION BY k ORDER BY window_start) AS next
		FROM ev GROUP BY k, TUMBLE(ts, 10s) QUALIFY next > n`, events)
	var gotWin []string
	for _, r := range got {
		require.Greater(t, r[3], r[2])
		gotWin = append(gotWin, fmt.Sprint(r[0], " ", r[1].(time.Time).UnixMicro()))
	}
	slices.Sort(gotWin)
	require.Equal(t, wantWin, gotWin)
}

// TestShowFunctionsListsAnalytics checks that SHOW FUNCTIONS lists every analytic function
// with its kind, and aggregates of the same name beside them.
func TestShowFunctionsListsAnalytics(t *testing.T) {
	db, err := Open()
	require.NoError(t, err)
	defer db.Close()
	rows, err := db.Query(context.Background(), "SHOW FUNCTIONS")
	require.NoError(t, err)
	defer rows.Close()
	kinds := map[string][]string{}
	for rows.Next() {
		for _, r := range rows.Values() {
			kinds[r[0].(string)] = append(kinds[r[0].(string)], r[1].(string))
			if r[1] == "analytic" {
				require.Contains(t, r[2], "OVER", "the signature shows the OVER clause")
			}
		}
	}
	require.NoError(t, rows.Err())
	for _, name := range []string{"avg", "sum", "count", "min", "max", "stddev", "rate"} {
		require.Equal(t, []string{"aggregate", "analytic"}, kinds[name], name)
	}
	for _, name := range []string{"lag", "lead", "row_number", "rank", "ema", "zscore"} {
		require.Equal(t, []string{"analytic"}, kinds[name], name)
	}
}

// TestAnalyticSingleRow checks every analytic function over one event: the frame functions
// see one value (stddev and zscore need two; rate needs time, which a RANGE frame has and a
// row alone does not), lag and lead find no other row.
func TestAnalyticSingleRow(t *testing.T) {
	events := []anEvent{{id: 0, t: anBase, k: "a", v: 4, ok: true}}
	const w = " OVER (PARTITION BY k ORDER BY ts)"
	got := runOverEvents(t, `SELECT avg(v)`+w+`, sum(v)`+w+`, count(v)`+w+`, count(*)`+w+`,
		min(v)`+w+`, max(v)`+w+`, stddev(v)`+w+`, zscore(v)`+w+`, rate(v)`+w+`,
		rate(v) OVER (ORDER BY ts RANGE 2s PRECEDING), lag(v)`+w+`, lead(v, 1, 7)`+w+`,
		row_number()`+w+`, rank()`+w+`, ema(v, 0.5)`+w+` FROM ev`, events)
	require.Equal(t, [][]any{{4.0, 4.0, int64(1), int64(1), 4.0, 4.0, nil, nil, nil, 2.0,
		nil, 7.0, int64(1), int64(1), 4.0}}, got)
}

// TestAnalyticAggregatesOnlyInOverAndQualify checks aggregates that appear only inside an
// OVER clause or QUALIFY: they are computed all the same, and QUALIFY filters after the
// analytic functions have seen every row of the window.
func TestAnalyticAggregatesOnlyInOverAndQualify(t *testing.T) {
	events := analyticEvents(300, "abcde", false, 9)
	rows, counts := windowRows(events, 10_000_000)
	windows := map[int64][]refRow{}
	for _, r := range rows {
		windows[r.start] = append(windows[r.start], r)
	}
	var want []string
	for _, r := range rows {
		if counts[r.id] <= 1 {
			continue
		}
		desc := slices.Clone(windows[r.start])
		sort.SliceStable(desc, func(a, b int) bool {
			return counts[desc[a].id] > counts[desc[b].id]
		})
		d := slices.IndexFunc(desc, func(x refRow) bool { return x.id == r.id })
		next := "<nil>"
		if d+1 < len(desc) {
			next = desc[d+1].key
		}
		want = append(want, fmt.Sprint(r.key, " ", r.start, " ", next))
	}
	got := runOverEvents(t, `SELECT k, window_start,
		lead(k) OVER (PARTITION BY window_start ORDER BY count(*) DESC)
		FROM ev GROUP BY k, TUMBLE(ts, 10s) QUALIFY count(*) > 1`, events)
	var have []string
	for _, r := range got {
		have = append(have, fmt.Sprint(r[0], " ", r[1].(time.Time).UnixMicro(), " ", r[2]))
	}
	require.NotEmpty(t, want)
	require.Equal(t, want, have)
}
