package weir

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
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
}

var refFrames = []refFrame{
	{sql: "", kind: "all"},
	{sql: "ROWS UNBOUNDED PRECEDING", kind: "all"},
	{sql: "RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW", kind: "all"},
	{sql: "ROWS CURRENT ROW", kind: "rows"},
	{sql: "ROWS 3 PRECEDING", kind: "rows", lo: 3},
	{sql: "ROWS BETWEEN 4 PRECEDING AND 1 PRECEDING", kind: "rows", lo: 4, hi: 1},
	{sql: "ROWS BETWEEN 1 PRECEDING AND 1 PRECEDING", kind: "rows", lo: 1, hi: 1},
	{sql: "RANGE INTERVAL '10' SECOND PRECEDING", kind: "range", r: 10_000_000},
	{sql: "RANGE 4s PRECEDING", kind: "range", r: 4_000_000},
}

// rows returns the frame of row i of a partition (its rows in order).
func (f refFrame) rows(part []refRow, i int) []refRow {
	switch f.kind {
	case "rows":
		return part[max(0, i-f.lo):max(0, i-f.hi+1)]
	case "range":
		var out []refRow
		for _, x := range part[:i+1] {
			if x.start >= part[i].start-f.r {
				out = append(out, x)
			}
		}
		return out
	}
	return part[:i+1]
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
