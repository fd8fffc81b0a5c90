package connector

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// The benchmarks read events into Arrow batches and report events per second:
//
//	go test ./connector/ -run '^$' -bench 'Read|Nexmark' -benchtime 3x
//
// The file benchmarks read the same 500,000 generated web requests (host, time, url, bytes,
// ts: five columns, about 40 MB of CSV) from CSV, JSON lines, Parquet and Arrow IPC.

const benchRows = 500_000

// benchFiles holds the benchmark's requests in each format, written once per run into
// benchDir, which TestMain removes.
var (
	benchFiles = map[string]string{}
	benchDir   string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

func benchSchema() *arrow.Schema {
	return arrow.NewSchema([]arrow.Field{
		{Name: "host", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "time", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "url", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "bytes", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"},
			Nullable: true},
	}, nil)
}

// benchFile returns the path of the requests in format, writing them first when needed.
func benchFile(b *testing.B, format string) string {
	b.Helper()
	if p, ok := benchFiles[format]; ok {
		return p
	}
	if benchDir == "" {
		dir, err := os.MkdirTemp("", "weir-bench")
		if err != nil {
			b.Fatal(err)
		}
		benchDir = dir
	}
	dir := benchDir
	// Write the CSV by hand, then convert it with weir's own writers.
	if _, ok := benchFiles["csv"]; !ok {
		var sb strings.Builder
		sb.WriteString("host,time,url,bytes,ts\n")
		for i := range benchRows {
			fmt.Fprintf(&sb, "host%d.example.com,%d,/shuttle/missions/sts-%d/mission.html,%d,"+
				"1995-08-01T%02d:%02d:%02d.%03dZ\n", i%1000, 807256800+i/10, i%97, i*37%100000,
				i/36000%24, i/600%60, i/10%60, i%1000)
		}
		p := filepath.Join(dir, "requests.csv")
		if err := os.WriteFile(p, []byte(sb.String()), 0o644); err != nil {
			b.Fatal(err)
		}
		benchFiles["csv"] = p
	}
	if format == "csv" {
		return benchFiles["csv"]
	}
	src, err := NewFileSource(FileOptions{Path: benchFiles["csv"]}, benchSchema(), nil)
	if err != nil {
		b.Fatal(err)
	}
	p := filepath.Join(dir, "requests."+format)
	if format == "json" {
		p = filepath.Join(dir, "requests.jsonl")
	}
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	w, err := NewRowWriter(format, f, benchSchema())
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if err := src.Open(ctx); err != nil {
		b.Fatal(err)
	}
	for {
		batch, err := src.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		if err := w.WriteBatch(batch); err != nil {
			b.Fatal(err)
		}
		batch.Release()
	}
	src.Close()
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	benchFiles[format] = p
	return p
}

// drain reads a source to its end and returns its rows.
func drain(b *testing.B, src Source) int64 {
	ctx := context.Background()
	if err := src.Open(ctx); err != nil {
		b.Fatal(err)
	}
	var rows int64
	for {
		batch, err := src.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		rows += batch.NumRows()
		batch.Release()
	}
	if err := src.Close(); err != nil {
		b.Fatal(err)
	}
	return rows
}

func benchmarkRead(b *testing.B, format string) {
	path := benchFile(b, format)
	b.ResetTimer()
	var rows int64
	for b.Loop() {
		src, err := NewFileSource(FileOptions{Path: path}, benchSchema(),
			memory.DefaultAllocator)
		if err != nil {
			b.Fatal(err)
		}
		rows += drain(b, src)
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "events/s")
}

func BenchmarkReadCSV(b *testing.B)     { benchmarkRead(b, "csv") }
func BenchmarkReadJSON(b *testing.B)    { benchmarkRead(b, "json") }
func BenchmarkReadParquet(b *testing.B) { benchmarkRead(b, "parquet") }
func BenchmarkReadArrow(b *testing.B)   { benchmarkRead(b, "arrow") }

// BenchmarkNexmark generates a million events and reads the events of one table with all its
// columns; events/s counts that table's events.
func BenchmarkNexmark(b *testing.B) {
	for _, table := range NexmarkTables() {
		b.Run(table, func(b *testing.B) {
			schema, _ := NexmarkSchema(table)
			var rows int64
			for b.Loop() {
				src, err := NewNexmarkSource(NexmarkOptions{Table: table, Events: 1_000_000,
					Seed: 1}, schema, memory.DefaultAllocator)
				if err != nil {
					b.Fatal(err)
				}
				rows += drain(b, src)
			}
			b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
