package weir

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/stretchr/testify/require"

	"github.com/weirsql/weir/internal/testdata"
)

// TestAnomalyExample runs examples/anomaly.sql over NAB's machine temperature series and
// checks that it flags the windows an independent computation flags, among them one inside
// each labelled anomaly window.
func TestAnomalyExample(t *testing.T) {
	dir := testdata.Dir(t, "nab")
	sql, err := os.ReadFile("examples/anomaly.sql")
	require.NoError(t, err)
	stmts, err := Parse(string(sql))
	require.NoError(t, err)
	require.Len(t, stmts, 2)

	db, err := Open()
	require.NoError(t, err)
	defer db.Close()
	ctx := context.Background()
	_, err = db.Run(ctx, stmts[0])
	require.NoError(t, err)
	rows, err := db.Run(ctx, stmts[1])
	require.NoError(t, err)
	var got []int64
	for rows.Next() {
		b := rows.Batch()
		starts := b.Column(0).(*array.Timestamp)
		for i := 0; i < int(b.NumRows()); i++ {
			got = append(got, int64(starts.Value(i)))
		}
	}
	require.NoError(t, rows.Err())
	require.Zero(t, rows.Stats().LateDropped, "a delay of 1 hour absorbs the replayed hour")
	require.NoError(t, rows.Close())

	want, windows := flagIndependently(t, filepath.Join(dir, "realKnownCause",
		"machine_temperature_system_failure.csv"))
	require.Equal(t, 7561, windows)
	require.Len(t, want, 395)
	require.Equal(t, want, got)

	// At least one flagged window inside each labelled anomaly window.
	labels, err := os.ReadFile(filepath.Join(dir, "combined_windows.json"))
	require.NoError(t, err)
	var all map[string][][2]string
	require.NoError(t, json.Unmarshal(labels, &all))
	spans := all["realKnownCause/machine_temperature_system_failure.csv"]
	require.Len(t, spans, 4)
	for _, span := range spans {
		lo, hi := parseNAB(t, span[0]), parseNAB(t, span[1])
		inside := 0
		for _, s := range got {
			if s >= lo && s <= hi {
				inside++
			}
		}
		require.Positive(t, inside, "no flagged window in %v", span)
	}
}

func parseNAB(t *testing.T, s string) int64 {
	for _, layout := range []string{"2006-01-02 15:04:05.000000", "2006-01-02 15:04:05"} {
		if tm, err := time.Parse(layout, s); err == nil {
			return tm.UnixMicro()
		}
	}
	t.Fatalf("bad time %q", s)
	return 0
}

// flagIndependently averages the series per 15 minutes and flags the windows more than 3
// sample standard deviations from the mean of the (up to) 24 windows before them.
func flagIndependently(t *testing.T, path string) ([]int64, int) {
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	const size = int64(15 * time.Minute / time.Microsecond)
	sums := map[int64]float64{}
	counts := map[int64]int{}
	for _, r := range recs[1:] {
		ts := parseNAB(t, r[0])
		v, err := strconv.ParseFloat(r[1], 64)
		require.NoError(t, err)
		start := ts - ((ts%size)+size)%size
		sums[start] += v
		counts[start]++
	}
	starts := make([]int64, 0, len(sums))
	for s := range sums {
		starts = append(starts, s)
	}
	sort.Slice(starts, func(i, j int) bool { return starts[i] < starts[j] })
	avgs := make([]float64, len(starts))
	for i, s := range starts {
		avgs[i] = sums[s] / float64(counts[s])
	}
	var flagged []int64
	for i := range avgs {
		frame := avgs[max(0, i-24):i]
		if len(frame) < 2 {
			continue
		}
		mean := 0.0
		for _, x := range frame {
			mean += x
		}
		mean /= float64(len(frame))
		ss := 0.0
		for _, x := range frame {
			ss += (x - mean) * (x - mean)
		}
		sd := math.Sqrt(ss / float64(len(frame)-1))
		if sd > 0 && math.Abs((avgs[i]-mean)/sd) > 3 {
			flagged = append(flagged, starts[i])
		}
	}
	return flagged, len(starts)
}
