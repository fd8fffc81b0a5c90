package bench

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

// Run from bench/:
//
//	go test -run '^$' -bench . -benchtime 3x              # both engines, 2M events
//	go test -run '^$' -bench Weir -events 10000000
//	go test -run TestSameAnswers -v
var events = flag.Int("events", 2_000_000, "events per benchmark run")

var (
	dataOnce sync.Once
	data     *Data
	csvPath  string
)

// shared generates the data and writes the CSV file once per test binary.
func shared(tb testing.TB) (*Data, string) {
	dataOnce.Do(func() {
		data = Generate(*events)
		dir, err := os.MkdirTemp("", "weirbench")
		if err != nil {
			tb.Fatal(err)
		}
		csvPath = filepath.Join(dir, "events.csv")
		if err := WriteCSV(csvPath, *events); err != nil {
			tb.Fatal(err)
		}
	})
	return data, csvPath
}

// oneCore runs the benchmark on one core, generator and query included.
func oneCore(b *testing.B) {
	prev := runtime.GOMAXPROCS(1)
	b.Cleanup(func() { runtime.GOMAXPROCS(prev) })
}

func report(b *testing.B, res Result) {
	b.ReportMetric(float64(res.Events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkWeir runs each workload over batches built before the clock starts and pushed
// through an appender, on one core.
func BenchmarkWeir(b *testing.B) {
	d, path := shared(b)
	ctx := context.Background()
	for _, w := range Workloads {
		b.Run(w.Name+"/memory", func(b *testing.B) {
			oneCore(b)
			var res Result
			for b.Loop() {
				var err error
				if res, err = RunWeir(ctx, w, d, false); err != nil {
					b.Fatal(err)
				}
			}
			report(b, res)
			b.ReportMetric(res.PerWindow, "state-B/window")
			b.ReportMetric(float64(res.LatencyP99.Microseconds()), "p99-emit-µs")
		})
		b.Run(w.Name+"/csv", func(b *testing.B) {
			oneCore(b)
			var res Result
			for b.Loop() {
				var err error
				if res, err = RunWeirCSV(ctx, w, path, d.Events); err != nil {
					b.Fatal(err)
				}
			}
			report(b, res)
		})
	}
}

// BenchmarkDuckDB runs the same workloads in DuckDB on one thread: over a table loaded
// before the clock starts, and over the CSV file.
func BenchmarkDuckDB(b *testing.B) {
	d, path := shared(b)
	ctx := context.Background()
	duck, err := OpenDuck(ctx, path, 1)
	if err != nil {
		b.Fatal(err)
	}
	defer duck.Close()
	for _, w := range Workloads {
		for _, src := range []struct{ name, rel string }{
			{"memory", "ev"}, {"csv", DuckCSV(path)},
		} {
			b.Run(w.Name+"/"+src.name, func(b *testing.B) {
				var res Result
				for b.Loop() {
					if res, err = duck.Run(ctx, w, src.rel, d.Events, false); err != nil {
						b.Fatal(err)
					}
				}
				report(b, res)
			})
		}
	}
}

// TestSameAnswers checks that weir and DuckDB give the same rows for every workload on the
// generated data.
func TestSameAnswers(t *testing.T) {
	const n = 300_000
	d := Generate(n)
	defer d.Release()
	path := filepath.Join(t.TempDir(), "events.csv")
	if err := WriteCSV(path, n); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	duck, err := OpenDuck(ctx, path, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer duck.Close()
	for _, w := range Workloads {
		t.Run(w.Name, func(t *testing.T) {
			wr, err := RunWeir(ctx, w, d, true)
			if err != nil {
				t.Fatal(err)
			}
			dr, err := duck.Run(ctx, CheckWorkload(w), "ev", n, true)
			if err != nil {
				t.Fatal(err)
			}
			if err := Compare(CheckWorkload(w), wr.Answers, dr.Answers); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %d rows agree", w.Name, len(wr.Answers))
		})
	}
}
