package weir_test

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/weirsql/weir"
	"github.com/weirsql/weir/functions"
)

// A windowed query over events the program pushes: clicks per page and minute.
func ExampleDB_Appender() {
	ctx := context.Background()
	db, _ := weir.Open()
	defer db.Close()
	_ = db.Exec(ctx, `CREATE STREAM clicks (ts TIMESTAMP, page VARCHAR)`)

	rows, err := db.Query(ctx, `
		SELECT page, count(*) AS clicks, window_start
		FROM clicks GROUP BY page, TUMBLE(ts, 1m)`)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer rows.Close()

	app, _ := db.Appender("clicks")
	for _, e := range []struct{ ts, page string }{
		{"2024-05-01T10:00:05Z", "/home"},
		{"2024-05-01T10:00:40Z", "/cart"},
		{"2024-05-01T10:00:59Z", "/home"},
		{"2024-05-01T10:01:10Z", "/home"},
	} {
		_ = app.AppendRow(e.ts, e.page)
	}
	_ = app.Close() // the stream ends: every open window fires

	for rows.Next() {
		for _, r := range rows.Values() {
			fmt.Println(r[0], r[1], r[2].(time.Time).Format("15:04"))
		}
	}
	// Output:
	// /cart 1 10:00
	// /home 2 10:00
	// /home 1 10:01
}

// Reading a result's rows as Go values, and the query's counters.
func ExampleRows_Values() {
	ctx := context.Background()
	db, _ := weir.Open()
	defer db.Close()
	_ = db.Exec(ctx, `CREATE STREAM temps (ts TIMESTAMP, sensor VARCHAR, celsius DOUBLE,
		WATERMARK FOR ts AS ts - INTERVAL '10' SECOND)`)
	rows, _ := db.Query(ctx, `SELECT sensor, avg(celsius), max(celsius) FROM temps
		GROUP BY sensor, TUMBLE(ts, 1h)`)
	defer rows.Close()

	app, _ := db.Appender("temps")
	_ = app.AppendRow("2024-05-01T10:00:00Z", "a", 20.5)
	_ = app.AppendRow("2024-05-01T10:30:00Z", "a", 21.5)
	_ = app.AppendRow("2024-05-01T11:30:00Z", "a", 25.0)
	_ = app.AppendRow("2024-05-01T10:59:00Z", "a", 99.0) // late: its hour has fired
	_ = app.Close()

	for rows.Next() {
		for _, r := range rows.Values() {
			fmt.Printf("%s avg=%.1f max=%.1f\n", r[0], r[1], r[2])
		}
	}
	fmt.Println("late events dropped:", rows.Stats().LateDropped)
	// Output:
	// a avg=21.0 max=21.5
	// a avg=25.0 max=25.0
	// late events dropped: 1
}

// spread is a user-defined aggregate: the largest value minus the smallest.
type spread struct{ lo, hi []float64 }

func (s *spread) Grow(n int) {
	for len(s.lo) < n {
		s.lo = append(s.lo, math.Inf(1))
		s.hi = append(s.hi, math.Inf(-1))
	}
}

func (s *spread) Update(groups []uint32, args []arrow.Array) error {
	v := args[0].(*array.Float64)
	for i, g := range groups {
		if v.IsValid(i) {
			s.lo[g] = math.Min(s.lo[g], v.Value(i))
			s.hi[g] = math.Max(s.hi[g], v.Value(i))
		}
	}
	return nil
}

func (s *spread) Merge(dst uint32, other weir.AggState, src uint32) {
	o := other.(*spread)
	s.lo[dst] = math.Min(s.lo[dst], o.lo[src])
	s.hi[dst] = math.Max(s.hi[dst], o.hi[src])
}

func (s *spread) Reset(slot uint32) { s.lo[slot], s.hi[slot] = math.Inf(1), math.Inf(-1) }

func (s *spread) Append(b array.Builder, slot uint32) error {
	if s.lo[slot] > s.hi[slot] {
		b.AppendNull()
	} else {
		b.(*array.Float64Builder).Append(s.hi[slot] - s.lo[slot])
	}
	return nil
}

func (s *spread) SizeBytes() int { return 16 * len(s.lo) }

// A user-defined aggregate, registered beside the built-ins.
func ExampleDB_Register() {
	ctx := context.Background()
	db, _ := weir.Open(weir.WithAllocator(memory.NewGoAllocator()))
	defer db.Close()
	_ = db.Register(&weir.Aggregate{
		Name:     "spread",
		Args:     "(DOUBLE) -> DOUBLE",
		NullRule: "NULL values are skipped; NULL when there is none",
		Summary:  "the largest value minus the smallest",
		Resolve: func(args []arrow.DataType) (arrow.DataType, error) {
			if len(args) != 1 || args[0].ID() != arrow.FLOAT64 {
				return nil, fmt.Errorf("spread expects one DOUBLE")
			}
			return functions.Double, nil
		},
		New: func([]arrow.DataType) weir.AggState { return &spread{} },
	})
	_ = db.Exec(ctx, `CREATE STREAM prices (ts TIMESTAMP, price DOUBLE)`)
	rows, _ := db.Query(ctx, `SELECT spread(price) FROM prices GROUP BY TUMBLE(ts, 1d)`)
	defer rows.Close()
	app, _ := db.Appender("prices")
	for i, p := range []float64{10, 12.5, 9, 11} {
		_ = app.AppendRow(fmt.Sprintf("2024-05-0%dT12:00:00Z", 1+i/3), p)
	}
	_ = app.Close()
	for rows.Next() {
		for _, r := range rows.Values() {
			fmt.Println(r[0])
		}
	}
	// Output:
	// 3.5
	// 0
}
