package bench

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// checkP99 is DuckDB's query for checking weir's p99: instead of an estimate it returns the
// exact values at the ranks around 0.99·(n-1), the rank DDSketch estimates (weir's p99 must lie
// within 1% of them).
const checkP99 = `SELECT k, ws AS window_start, ws + INTERVAL 1 MINUTE AS window_end,
	count(*) AS n, sum(v) AS s, avg(v) AS a,
	list_sort(list(v))[CAST(floor(0.99 * (count(*) - 1)) AS BIGINT) + 1] AS p99_lo,
	list_sort(list(v))[CAST(ceil(0.99 * (count(*) - 1)) AS BIGINT) + 1] AS p99_hi,
	stddev(v) AS sd
	FROM (SELECT k, v, time_bucket(INTERVAL 1 MINUTE, ts) AS ws FROM {ev})
	GROUP BY k, ws`

// CheckWorkload is the DuckDB side of w's check: w itself, or for the p99 workload the query
// with exact rank bounds in place of the estimate.
func CheckWorkload(w Workload) Workload {
	if w.Name != "tumble_p99" {
		return w
	}
	w.Duck = checkP99
	w.Aggs = []string{"n", "s", "a", "p99_lo", "p99_hi", "sd"}
	return w
}

// Compare checks weir's answers against DuckDB's for workload w: the same rows (key and
// window), the same window ends, equal counts, sums, averages and standard deviations to a
// relative 1e-9, and p99 within 1% of the exact value at its rank. It returns nil when they
// agree, else an error listing the first differences.
func Compare(w Workload, weirs, ducks Answers) error {
	var diffs []string
	note := func(format string, args ...any) {
		diffs = append(diffs, fmt.Sprintf(format, args...))
	}
	keys := make([]RowKey, 0, len(ducks))
	for k := range ducks {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].Start != keys[j].Start {
			return keys[i].Start < keys[j].Start
		}
		return keys[i].K < keys[j].K
	})
	for _, k := range keys {
		d := ducks[k]
		r, ok := weirs[k]
		if !ok {
			note("row k=%d start=%d only in DuckDB", k.K, k.Start)
			continue
		}
		if r.End != d.End {
			note("k=%d start=%d: window_end %d in weir, %d in DuckDB", k.K, k.Start, r.End,
				d.End)
		}
		for i, name := range w.Aggs {
			if msg := compareAgg(w.Name, name, i, r.Aggs, d.Aggs); msg != "" {
				note("k=%d start=%d: %s", k.K, k.Start, msg)
			}
		}
	}
	for k := range weirs {
		if _, ok := ducks[k]; !ok {
			note("row k=%d start=%d only in weir", k.K, k.Start)
		}
	}
	if len(diffs) == 0 {
		return nil
	}
	n := len(diffs)
	if len(diffs) > 10 {
		diffs = diffs[:10]
	}
	return fmt.Errorf("%s: %d differences between weir (%d rows) and DuckDB (%d rows):\n  %s",
		w.Name, n, len(weirs), len(ducks), strings.Join(diffs, "\n  "))
}

// compareAgg compares aggregate i of a weir row with DuckDB's. For the p99 workload DuckDB's
// row holds p99_lo and p99_hi where weir's holds p99, so the columns after it shift by one.
func compareAgg(workload, name string, i int, weir, duck []float64) string {
	if workload == "tumble_p99" {
		switch name {
		case "p99_lo":
			lo, hi, got := duck[i], duck[i+1], weir[i]
			if got < lo*(1-0.0101) || got > hi*(1+0.0101) {
				return fmt.Sprintf("p99 %v in weir, outside 1%% of [%v, %v]", got, lo, hi)
			}
			return ""
		case "p99_hi":
			return ""
		case "sd":
			return closeTo(name, weir[i-1], duck[i], 1e-9)
		}
	}
	if i >= len(weir) {
		return fmt.Sprintf("no %s in weir", name)
	}
	return closeTo(name, weir[i], duck[i], 1e-9)
}

func closeTo(name string, got, want, rel float64) string {
	switch {
	case math.IsNaN(got) && math.IsNaN(want):
		return ""
	case math.Abs(got-want) <= rel*math.Max(math.Abs(want), 1):
		return ""
	}
	return fmt.Sprintf("%s %v in weir, %v in DuckDB", name, got, want)
}
