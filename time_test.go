package weir

import (
	"context"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/weirsql/weir/connector"
	"github.com/weirsql/weir/internal/testdata"
)

// timedEvent is one event pushed by the tests below: seconds after
// 2024-01-01T00:00:00Z, a key and a value.
type timedEvent struct {
	t int
	k string
	v int64
}

// hopEvents arrive in this order into HOP(ts, 5s, 10s) with a watermark delay of 2 s. The
// comments give the watermark as each event finds it (the largest time before it, minus 2 s)
// and its fate: "partial" when a window it belongs to has fired (its end is at or before that
// watermark) and another has not; "dropped" when all have fired.
var hopEvents = []timedEvent{
	{0, "a", 1},   // [-5,5) [0,10)
	{1, "b", 2},   // wm -2
	{3, "a", 3},   // wm -1
	{2, "b", 4},   // wm 1
	{6, "a", 5},   // wm 1: [0,10) [5,15)
	{4, "b", 6},   // wm 4
	{8, "a", 7},   // wm 4
	{3, "b", 8},   // wm 6: partial, late for [-5,5)
	{11, "a", 9},  // wm 6: [5,15) [10,20)
	{9, "b", 10},  // wm 9: [0,10) ends after 9
	{12, "b", 11}, // wm 9
	{7, "a", 12},  // wm 10: partial, late for [0,10)
	{2, "a", 13},  // wm 10: dropped
	{15, "a", 14}, // wm 10: [10,20) [15,25)
	{14, "b", 15}, // wm 13
	{18, "b", 16}, // wm 13
	{13, "a", 17}, // wm 16: partial, late for [5,15)
	{21, "a", 18}, // wm 16: [15,25) [20,30)
	{19, "b", 19}, // wm 19
	{25, "b", 20}, // wm 19: [20,30) [25,35)
	{16, "a", 21}, // wm 23: partial, late for [10,20)
	{14, "b", 22}, // wm 23: dropped
	{27, "a", 23}, // wm 23
	{30, "b", 24}, // wm 25: [25,35) [30,40)
	{26, "b", 25}, // wm 28
	{31, "a", 26}, // wm 28
	{29, "a", 27}, // wm 29: [20,30) ends after 29
	{34, "b", 28}, // wm 29
	{28, "b", 29}, // wm 32: partial, late for [20,30)
	{33, "a", 30}, // wm 32
}

// hopRows are the final rows of hopEvents, worked out by hand from the comments above:
// key, count, sum of v, window_start, window_end; each comment lists the v of the events the
// row counts (v is also the event's place in the arrival order).
var hopRows = []string{
	"a,2,4,2023-12-31T23:59:55Z,2024-01-01T00:00:05Z",   // 1 3
	"b,3,12,2023-12-31T23:59:55Z,2024-01-01T00:00:05Z",  // 2 4 6
	"a,4,16,2024-01-01T00:00:00Z,2024-01-01T00:00:10Z",  // 1 3 5 7
	"b,5,30,2024-01-01T00:00:00Z,2024-01-01T00:00:10Z",  // 2 4 6 8 10
	"a,4,33,2024-01-01T00:00:05Z,2024-01-01T00:00:15Z",  // 5 7 9 12
	"b,3,36,2024-01-01T00:00:05Z,2024-01-01T00:00:15Z",  // 10 11 15
	"a,3,40,2024-01-01T00:00:10Z,2024-01-01T00:00:20Z",  // 9 14 17
	"b,4,61,2024-01-01T00:00:10Z,2024-01-01T00:00:20Z",  // 11 15 16 19
	"a,3,53,2024-01-01T00:00:15Z,2024-01-01T00:00:25Z",  // 14 18 21
	"b,2,35,2024-01-01T00:00:15Z,2024-01-01T00:00:25Z",  // 16 19
	"a,3,68,2024-01-01T00:00:20Z,2024-01-01T00:00:30Z",  // 18 23 27
	"b,2,45,2024-01-01T00:00:20Z,2024-01-01T00:00:30Z",  // 20 25
	"a,4,106,2024-01-01T00:00:25Z,2024-01-01T00:00:35Z", // 23 26 27 30
	"b,5,126,2024-01-01T00:00:25Z,2024-01-01T00:00:35Z", // 20 24 25 28 29
	"a,2,56,2024-01-01T00:00:30Z,2024-01-01T00:00:40Z",  // 26 30
	"b,2,52,2024-01-01T00:00:30Z,2024-01-01T00:00:40Z",  // 24 28
}

// TestFinalRowsIndependentOfBatchSize pushes the same events 1, 7 and 30 to a batch: the
// watermark advances event by event, also inside a batch, so the rows, the late counts and
// the late file are the same.
func TestFinalRowsIndependentOfBatchSize(t *testing.T) {
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, size := range []int{1, 7, 30} {
		t.Run(fmt.Sprintf("batch=%d", size), func(t *testing.T) {
			ctx := context.Background()
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			db, err := Open(WithAllocator(mem))
			require.NoError(t, err)
			defer db.Close()
			late := filepath.Join(t.TempDir(), "late.csv")
			require.NoError(t, db.Exec(ctx, fmt.Sprintf("SET late_file = '%s'", late)))
			require.NoError(t, db.Exec(ctx, "CREATE STREAM s (ts TIMESTAMP, k VARCHAR, "+
				"v BIGINT, WATERMARK FOR ts AS ts - INTERVAL '2' SECOND)"))
			rows, err := db.Query(ctx, "SELECT k, count(*) AS n, sum(v) AS total, "+
				"window_start, window_end FROM s GROUP BY k, HOP(ts, 5s, 10s)")
			require.NoError(t, err)
			defer rows.Close()

			app, err := db.Appender("s")
			require.NoError(t, err)
			pushed := make(chan error, 1)
			go func() {
				pushed <- pushEvents(app, base, size)
			}()
			got := rowLines(t, rows)
			require.NoError(t, rows.Err())
			require.NoError(t, <-pushed)

			require.Equal(t, hopRows, got)
			st := rows.Stats()
			require.Equal(t, int64(2), st.LateDropped, "late_dropped")
			require.Equal(t, int64(5), st.LatePartial, "late_partial")
			require.Equal(t, int64(16), st.WindowsFired, "windows_fired")
			require.NoError(t, rows.Close())
			data, err := os.ReadFile(late)
			require.NoError(t, err)
			require.Equal(t, "ts,k,v\n2024-01-01T00:00:02Z,a,13\n2024-01-01T00:00:14Z,b,22\n",
				string(data))
		})
	}
}

// pushEvents appends hopEvents, flushing every size rows, and closes the appender.
func pushEvents(app *Appender, base time.Time, size int) error {
	return pushTimedEvents(app, base, hopEvents, size)
}

// pushTimedEvents appends events, flushing every size rows, and closes the appender.
func pushTimedEvents(app *Appender, base time.Time, events []timedEvent, size int) error {
	for i, e := range events {
		ts := base.Add(time.Duration(e.t) * time.Second)
		if err := app.AppendRow(ts, e.k, e.v); err != nil {
			return err
		}
		if (i+1)%size == 0 {
			if err := app.Flush(); err != nil {
				return err
			}
		}
	}
	return app.Close()
}

// rowLines reads every batch of rows as comma-separated lines.
func rowLines(t *testing.T, rows *Rows) []string {
	t.Helper()
	var out []string
	for rows.Next() {
		b := rows.Batch()
		for i := 0; i < int(b.NumRows()); i++ {
			cells := make([]string, b.NumCols())
			for c := range cells {
				v, ok := connector.FormatValue(b.Column(c), i)
				if !ok {
					v = "NULL"
				}
				cells[c] = v
			}
			out = append(out, strings.Join(cells, ","))
		}
	}
	return out
}

// sessionEvents make, with SESSION(ts, 10s), a's [0, 30) and [35, 60) and b's [3, 24) and
// [40, 50) (session_order_sorted.test works them out).
var sessionEvents = []timedEvent{
	{0, "a", 1}, {3, "b", 2}, {10, "a", 4}, {13, "b", 8}, {14, "b", 16}, {20, "a", 32},
	{35, "a", 64}, {40, "b", 128}, {42, "a", 256}, {50, "a", 512},
}

var sessionRows = []string{
	"a,3,37,2024-01-01T00:00:00Z,2024-01-01T00:00:30Z",
	"b,3,26,2024-01-01T00:00:03Z,2024-01-01T00:00:24Z",
	"a,3,832,2024-01-01T00:00:35Z,2024-01-01T00:01:00Z",
	"b,1,128,2024-01-01T00:00:40Z,2024-01-01T00:00:50Z",
}

// TestSessionsIndependentOfOrder pushes the events of sessionEvents in many orders and
// batchings, with a watermark delay that keeps every event on time: the sessions are the same.
func TestSessionsIndependentOfOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for run := 0; run < 50; run++ {
		events := append([]timedEvent(nil), sessionEvents...)
		if run > 0 {
			rng.Shuffle(len(events), func(i, j int) { events[i], events[j] = events[j], events[i] })
		}
		size := 1 + rng.IntN(len(events))
		got := sessionsOf(t, events, size)
		require.Equal(t, sessionRows, got, "order %v, %d to a batch", events, size)
	}
}

// sessionsOf pushes events, size to a batch, into SESSION(ts, 10s) with a watermark delay of
// 1 hour, and returns the rows.
func sessionsOf(t *testing.T, events []timedEvent, size int) []string {
	t.Helper()
	ctx := context.Background()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	db, err := Open(WithAllocator(mem))
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.Exec(ctx, "CREATE STREAM s (ts TIMESTAMP, k VARCHAR, v BIGINT, "+
		"WATERMARK FOR ts AS ts - INTERVAL '1' HOUR)"))
	rows, err := db.Query(ctx, "SELECT k, count(*) AS n, sum(v) AS total, window_start, "+
		"window_end FROM s GROUP BY k, SESSION(ts, 10s)")
	require.NoError(t, err)
	defer rows.Close()

	app, err := db.Appender("s")
	require.NoError(t, err)
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	pushed := make(chan error, 1)
	go func() {
		pushed <- pushTimedEvents(app, base, events, size)
	}()
	got := rowLines(t, rows)
	require.NoError(t, rows.Err())
	require.NoError(t, <-pushed)
	require.NoError(t, rows.Close())
	return got
}

// nabEvent is one row of a NAB file: its time in microseconds and its value.
type nabEvent struct {
	ts    int64
	value float64
}

const nabWindow = int64(5 * time.Minute / time.Microsecond)

// readNAB reads a NAB CSV file (timestamp 'YYYY-MM-DD HH:MM:SS' in UTC, value) in file order.
func readNAB(t *testing.T, path string) []nabEvent {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"timestamp", "value"}, recs[0])
	out := make([]nabEvent, 0, len(recs)-1)
	for _, r := range recs[1:] {
		ts, err := time.Parse(time.DateTime, r[0])
		require.NoError(t, err)
		v, err := strconv.ParseFloat(r[1], 64)
		require.NoError(t, err)
		out = append(out, nabEvent{ts: ts.UnixMicro(), value: v})
	}
	return out
}

// lateByRunningMax returns the events late for their 5-minute tumbling window with a
// watermark delay of 0: those whose window ends at or before the largest time seen before
// them.
func lateByRunningMax(events []nabEvent) []nabEvent {
	var late []nabEvent
	high := int64(-1 << 63)
	for i, e := range events {
		end := floorDivMicros(e.ts, nabWindow)*nabWindow + nabWindow
		if i > 0 && end <= high {
			late = append(late, e)
		}
		high = max(high, e.ts)
	}
	return late
}

func floorDivMicros(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// windowAverages runs a 5-minute tumbling average over a NAB file declared with the given
// WATERMARK clause (empty for none) and returns the average by window start, and the
// query's statistics.
func windowAverages(t *testing.T, path, watermark, lateFile string) (map[int64]float64, Stats) {
	t.Helper()
	ctx := context.Background()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	db, err := Open(WithAllocator(mem))
	require.NoError(t, err)
	defer db.Close()
	if lateFile != "" {
		require.NoError(t, db.Exec(ctx, fmt.Sprintf("SET late_file = '%s'", lateFile)))
	}
	if watermark != "" {
		watermark = ", " + watermark
	}
	require.NoError(t, db.Exec(ctx, fmt.Sprintf("CREATE STREAM machine (timestamp TIMESTAMP, "+
		"value DOUBLE%s) WITH (connector = 'file', path = '%s', format = 'csv')",
		watermark, path)))
	rows, err := db.Query(ctx, "SELECT avg(value) AS avg_value, window_start, window_end "+
		"FROM machine GROUP BY TUMBLE(timestamp, INTERVAL '5' MINUTE)")
	require.NoError(t, err)
	defer rows.Close()

	avgs := map[int64]float64{}
	for rows.Next() {
		b := rows.Batch()
		avg := b.Column(0).(*array.Float64)
		start := b.Column(1).(*array.Timestamp)
		end := b.Column(2).(*array.Timestamp)
		for i := 0; i < int(b.NumRows()); i++ {
			s := int64(start.Value(i))
			require.Equal(t, arrow.Timestamp(s+nabWindow), end.Value(i))
			_, dup := avgs[s]
			require.False(t, dup, "window %s emitted twice", time.UnixMicro(s).UTC())
			avgs[s] = avg.Value(i)
		}
	}
	require.NoError(t, rows.Err())
	st := rows.Stats()
	require.NoError(t, rows.Close())
	return avgs, st
}

// averagesOf computes the 5-minute averages of events directly, adding in the given order.
func averagesOf(events []nabEvent) map[int64]float64 {
	sum, n := map[int64]float64{}, map[int64]int{}
	for _, e := range events {
		s := floorDivMicros(e.ts, nabWindow) * nabWindow
		sum[s] += e.value
		n[s]++
	}
	out := make(map[int64]float64, len(sum))
	for s, x := range sum {
		out[s] = x / float64(n[s])
	}
	return out
}

// TestMachineTemperatureLateness runs 5-minute tumbling averages over NAB's
// machine_temperature_system_failure.csv, where one hour (2014-01-07 02:00 to 02:55) is
// replayed after 02:55.
func TestMachineTemperatureLateness(t *testing.T) {
	dir := testdata.Dir(t, "nab")
	path := filepath.Join(dir, "realKnownCause", "machine_temperature_system_failure.csv")
	events := readNAB(t, path)
	wantLate := lateByRunningMax(events)
	require.Len(t, wantLate, 11, "the independent computation")

	t.Run("delay 0", func(t *testing.T) {
		late := filepath.Join(t.TempDir(), "late.csv")
		avgs, st := windowAverages(t, path, "", late)
		require.Equal(t, int64(11), st.LateDropped)
		require.Equal(t, int64(0), st.LatePartial)

		f, err := os.Open(late)
		require.NoError(t, err)
		defer f.Close()
		recs, err := csv.NewReader(f).ReadAll()
		require.NoError(t, err)
		require.Equal(t, []string{"timestamp", "value"}, recs[0])
		var got []nabEvent
		for _, r := range recs[1:] {
			us, ok := parseRFC3339Micros(r[0])
			require.True(t, ok, "late file timestamp %q", r[0])
			v, err := strconv.ParseFloat(r[1], 64)
			require.NoError(t, err)
			got = append(got, nabEvent{ts: us, value: v})
		}
		require.Equal(t, wantLate, got)

		// The late events are left out of their windows, and nothing else is.
		dropped := map[nabEvent]bool{}
		for _, e := range wantLate {
			dropped[e] = true
		}
		var kept []nabEvent
		for _, e := range events {
			if !dropped[e] {
				kept = append(kept, e)
			}
		}
		requireAveragesNear(t, averagesOf(kept), avgs)
	})

	t.Run("delay 55m", func(t *testing.T) {
		late := filepath.Join(t.TempDir(), "late.csv")
		wm := "WATERMARK FOR timestamp AS timestamp - INTERVAL '55' MINUTE"
		avgs, st := windowAverages(t, path, wm, late)
		require.Equal(t, int64(0), st.LateDropped)
		require.Equal(t, int64(0), st.LatePartial)
		data, err := os.ReadFile(late)
		require.NoError(t, err)
		require.Equal(t, "timestamp,value\n", string(data))

		sorted := append([]nabEvent(nil), events...)
		sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].ts < sorted[j].ts })
		sortedPath := filepath.Join(t.TempDir(), "sorted.csv")
		writeNAB(t, sortedPath, sorted)
		want, st := windowAverages(t, sortedPath, wm, "")
		require.Equal(t, int64(0), st.LateDropped)
		require.Equal(t, want, avgs)
		requireAveragesNear(t, averagesOf(events), avgs)
	})
}

func parseRFC3339Micros(s string) (int64, bool) {
	ts, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0, false
	}
	return ts.UnixMicro(), true
}

// writeNAB writes events as a NAB CSV file; the values are written so that they read back
// the same.
func writeNAB(t *testing.T, path string, events []nabEvent) {
	t.Helper()
	var b strings.Builder
	b.WriteString("timestamp,value\n")
	for _, e := range events {
		b.WriteString(time.UnixMicro(e.ts).UTC().Format(time.DateTime))
		b.WriteByte(',')
		b.WriteString(strconv.FormatFloat(e.value, 'g', -1, 64))
		b.WriteByte('\n')
	}
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
}

// requireAveragesNear checks that got has the windows of want, each average equal up to
// rounding.
func requireAveragesNear(t *testing.T, want, got map[int64]float64) {
	t.Helper()
	require.Len(t, got, len(want))
	for s, w := range want {
		g, ok := got[s]
		require.True(t, ok, "window %s missing", time.UnixMicro(s).UTC())
		require.InDelta(t, w, g, 1e-9, "window %s", time.UnixMicro(s).UTC())
	}
}
