// Command compare runs the four windowed aggregations of weir's performance issue in weir and
// in DuckDB, in the same process on the same generated data, one core each: from memory (weir:
// Arrow batches pushed through an appender; DuckDB: a table loaded before the clock) and from a
// CSV file parsed inside the clock. It prints both rates and their ratio, then checks that both
// engines give the same rows.
//
//	cd bench && go run ./cmd/compare -events 10000000 -runs 3
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/weirsql/weir/bench"
)

func main() {
	events := flag.Int("events", 10_000_000, "events of the generated stream")
	runs := flag.Int("runs", 3, "runs of each measurement; the median is printed")
	only := flag.String("workloads", "", "comma-separated workloads (default: all)")
	csv := flag.Bool("csv", true, "also run from the CSV file")
	check := flag.Bool("check", true, "check that both engines give the same rows")
	flag.Parse()
	if err := run(*events, *runs, *only, *csv, *check); err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(1)
	}
}

func run(events, runs int, only string, withCSV, check bool) error {
	ctx := context.Background()
	runtime.GOMAXPROCS(1)
	var workloads []bench.Workload
	for _, w := range bench.Workloads {
		if only == "" || slices.Contains(strings.Split(only, ","), w.Name) {
			workloads = append(workloads, w)
		}
	}

	dir, err := os.MkdirTemp("", "weir-compare")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "events.csv")
	fmt.Printf("generating %d events (1,000 Zipf keys, up to 2 s of disorder) ...\n", events)
	data := bench.Generate(events)
	defer data.Release()
	if err := bench.WriteCSV(path, events); err != nil {
		return err
	}
	duck, err := bench.OpenDuck(ctx, path, 1)
	if err != nil {
		return fmt.Errorf("DuckDB: %w", err)
	}
	defer duck.Close()
	fmt.Printf("DuckDB %s, threads = 1; weir with GOMAXPROCS = 1; median of %d runs\n\n",
		duck.Version(ctx), runs)

	tw := tabwriter.NewWriter(os.Stdout, 2, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "workload\tsource\tweir events/s\tweir per CPU-s\tDuckDB events/s\t"+
		"weir/DuckDB\tstate B/window\temit p50\temit p99\t")
	for _, w := range workloads {
		wr, err := median(runs, func() (bench.Result, error) {
			runtime.GC()
			return bench.RunWeir(ctx, w, data, false)
		})
		if err != nil {
			return fmt.Errorf("weir %s: %w", w.Name, err)
		}
		dr, err := median(runs, func() (bench.Result, error) {
			return duck.Run(ctx, w, "ev", events, false)
		})
		if err != nil {
			return err
		}
		row(tw, w.Name, "memory", wr, dr, true)
		if !withCSV {
			continue
		}
		wr, err = median(runs, func() (bench.Result, error) {
			runtime.GC()
			return bench.RunWeirCSV(ctx, w, path, events)
		})
		if err != nil {
			return fmt.Errorf("weir %s from CSV: %w", w.Name, err)
		}
		dr, err = median(runs, func() (bench.Result, error) {
			return duck.Run(ctx, w, bench.DuckCSV(path), events, false)
		})
		if err != nil {
			return err
		}
		row(tw, w.Name, "csv", wr, dr, false)
	}
	tw.Flush()
	if !check {
		return nil
	}

	fmt.Println()
	failed := false
	for _, w := range workloads {
		wr, err := bench.RunWeir(ctx, w, data, true)
		if err != nil {
			return err
		}
		cw := bench.CheckWorkload(w)
		dr, err := duck.Run(ctx, cw, "ev", events, true)
		if err != nil {
			return err
		}
		if err := bench.Compare(cw, wr.Answers, dr.Answers); err != nil {
			fmt.Printf("check %-10s FAILED: %v\n", w.Name, err)
			failed = true
			continue
		}
		fmt.Printf("check %-10s ok: the same %d rows in both\n", w.Name, len(wr.Answers))
	}
	if failed {
		return fmt.Errorf("the engines disagree")
	}
	return nil
}

func row(tw *tabwriter.Writer, name, source string, wr, dr bench.Result, memory bool) {
	state, p50, p99 := "", "", ""
	if memory {
		state = fmt.Sprintf("%.0f", wr.PerWindow)
		p50 = wr.LatencyP50.Round(10 * time.Microsecond).String()
		p99 = wr.LatencyP99.Round(10 * time.Microsecond).String()
	}
	fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%.2f\t%s\t%s\t%s\t\n", name, source,
		millions(wr.Rate()), millions(wr.CPURate()), millions(dr.Rate()),
		wr.Rate()/dr.Rate(), state, p50, p99)
}

func millions(x float64) string { return fmt.Sprintf("%.2fM", x/1e6) }

// median runs f n times and returns the run of median wall time.
func median(n int, f func() (bench.Result, error)) (bench.Result, error) {
	var rs []bench.Result
	for range n {
		r, err := f()
		if err != nil {
			return r, err
		}
		rs = append(rs, r)
	}
	slices.SortFunc(rs, func(a, b bench.Result) int { return int(a.Elapsed - b.Elapsed) })
	return rs[len(rs)/2], nil
}
