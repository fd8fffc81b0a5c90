package bench

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"syscall"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/weirsql/weir"
)

// Result is what one run of a workload measured.
type Result struct {
	Events  int
	Elapsed time.Duration // wall clock
	CPU     time.Duration // user and system time of the process over the run
	RowsOut int
	// PeakState is the aggregates' peak state in bytes; PerWindow the state per open window
	// at the moment the most windows were open.
	PeakState   int64
	PeakWindows int64
	PerWindow   float64
	// Latency of a row: from the push of the batch that moved the watermark past its window's
	// end (or the end of the input) to the row coming out of the query, by quantile.
	LatencyP50, LatencyP99 time.Duration
	Answers                Answers // when asked for
}

// Rate is events per second of wall-clock time.
func (r Result) Rate() float64 { return float64(r.Events) / r.Elapsed.Seconds() }

// CPURate is events per second of CPU time: the events one core handles in a second.
func (r Result) CPURate() float64 {
	if r.CPU <= 0 {
		return 0
	}
	return float64(r.Events) / r.CPU.Seconds()
}

// Row is one result row past its key and window start.
type Row struct {
	End  int64
	Aggs []float64 // NaN for NULL
}

// RowKey identifies a result row: key and window start (µs).
type RowKey struct{ K, Start int64 }

// Answers are a query's rows by key and window.
type Answers map[RowKey]Row

// cpuTime is the CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// RunWeir runs w over the batches of d pushed through an appender, reading the results as
// they come; collect keeps the rows for a check.
func RunWeir(ctx context.Context, w Workload, d *Data, collect bool) (Result, error) {
	db, err := weir.Open()
	if err != nil {
		return Result{}, err
	}
	defer db.Close()
	if err := db.Exec(ctx, WeirStream("")); err != nil {
		return Result{}, err
	}
	rows, err := db.Query(ctx, w.Weir)
	if err != nil {
		return Result{}, err
	}
	defer rows.Close()
	app, err := db.Appender("ev")
	if err != nil {
		return Result{}, err
	}

	res := Result{Events: d.Events}
	pushed := make([]int64, len(d.Batches)+1) // ns since start; the last is the close
	done := make(chan error, 1)
	start := time.Now()
	cpu0 := cpuTime()
	go func() {
		for i, b := range d.Batches {
			pushed[i] = int64(time.Since(start))
			if err := app.Append(b); err != nil {
				done <- err
				return
			}
		}
		pushed[len(d.Batches)] = int64(time.Since(start))
		done <- app.Close()
	}()
	lat := make([]int64, 0, 1<<16)
	if collect {
		res.Answers = Answers{}
	}
	for rows.Next() {
		out := int64(time.Since(start))
		b := rows.Batch()
		res.RowsOut += int(b.NumRows())
		lat = latencies(lat, b, d.WM, pushed, out)
		if collect {
			if err := res.Answers.add(b, len(w.Aggs)); err != nil {
				return res, err
			}
		}
	}
	res.Elapsed = time.Since(start)
	res.CPU = cpuTime() - cpu0
	if err := rows.Err(); err != nil {
		return res, err
	}
	if err := <-done; err != nil {
		return res, err
	}
	s := rows.Stats()
	res.PeakState, res.PeakWindows, res.PerWindow = s.PeakStateBytes, s.PeakWindows,
		s.BytesPerWindow()
	res.LatencyP50, res.LatencyP99 = quantile(lat, 0.5), quantile(lat, 0.99)
	return res, nil
}

// latencies appends, for each row of b, the time from the push of the batch whose watermark
// first reached the row's window_end to out.
func latencies(lat []int64, b arrow.RecordBatch, wm []int64, pushed []int64,
	out int64) []int64 {
	idx := b.Schema().FieldIndices("window_end")
	if len(idx) == 0 {
		return lat
	}
	ends := b.Column(idx[0]).(*array.Timestamp).TimestampValues()
	for _, e := range ends {
		j := sort.Search(len(wm), func(i int) bool { return wm[i] >= int64(e) })
		lat = append(lat, out-pushed[j]) // j == len(wm): fired by the end of the input
	}
	return lat
}

func quantile(xs []int64, q float64) time.Duration {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	return time.Duration(xs[int(math.Round(q*float64(len(xs)-1)))])
}

// add records the rows of a result batch: k, window_start, window_end, then n aggregates.
func (a Answers) add(b arrow.RecordBatch, n int) error {
	if int(b.NumCols()) < 3+n {
		return fmt.Errorf("result has %d columns, want %d", b.NumCols(), 3+n)
	}
	ks := b.Column(0).(*array.Int64)
	starts := b.Column(1).(*array.Timestamp)
	ends := b.Column(2).(*array.Timestamp)
	for i := 0; i < int(b.NumRows()); i++ {
		r := Row{End: int64(ends.Value(i)), Aggs: make([]float64, n)}
		for j := range n {
			r.Aggs[j] = number(b.Column(3+j), i)
		}
		a[RowKey{K: ks.Value(i), Start: int64(starts.Value(i))}] = r
	}
	return nil
}

// number reads a numeric cell as float64, NaN for NULL.
func number(c arrow.Array, i int) float64 {
	if c.IsNull(i) {
		return math.NaN()
	}
	switch c := c.(type) {
	case *array.Int64:
		return float64(c.Value(i))
	case *array.Float64:
		return c.Value(i)
	}
	return math.NaN()
}

// RunWeirCSV runs w over the CSV file at path, parsing inside the clock.
func RunWeirCSV(ctx context.Context, w Workload, path string, events int) (Result, error) {
	db, err := weir.Open()
	if err != nil {
		return Result{}, err
	}
	defer db.Close()
	if err := db.Exec(ctx, WeirStream(path)); err != nil {
		return Result{}, err
	}
	res := Result{Events: events}
	start := time.Now()
	cpu0 := cpuTime()
	rows, err := db.Query(ctx, w.Weir)
	if err != nil {
		return Result{}, err
	}
	defer rows.Close()
	for rows.Next() {
		res.RowsOut += int(rows.Batch().NumRows())
	}
	res.Elapsed = time.Since(start)
	res.CPU = cpuTime() - cpu0
	if err := rows.Err(); err != nil {
		return res, err
	}
	s := rows.Stats()
	if s.EventsRead != int64(events) {
		return res, fmt.Errorf("weir read %d events from %s, want %d", s.EventsRead, path,
			events)
	}
	res.PeakState = s.PeakStateBytes
	return res, nil
}
