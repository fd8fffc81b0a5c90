// Package connector holds weir's sources and sinks: files (CSV, TSV, JSON lines, regex lines,
// Parquet, Arrow IPC), stdin and stdout, and the Nexmark and datagen generators. A source
// turns bytes, or generated events, into Arrow record batches of the stream's declared
// schema.
package connector

import (
	"context"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
)

// Source produces the batches of one stream partition.
//
// Open is called once before Next. Next blocks until rows are available and returns a batch of
// at most a few thousand rows, or io.EOF at the end of bounded input; the caller owns the batch
// and releases it. A source hands out the rows it has as soon as its input pauses, so a query
// over a pipe that stays open still sees every row written to it. Next checks ctx between
// batches and returns ctx.Err() once it is done. Close is idempotent.
type Source interface {
	Schema() *arrow.Schema
	Open(ctx context.Context) error
	Next(ctx context.Context) (arrow.RecordBatch, error)
	Close() error
	// Stats returns the source's counters; safe to call from another goroutine.
	Stats() *SourceStats
}

// ColumnSkipper is a Source that can skip the work of making columns no one reads.
type ColumnSkipper interface {
	// SkipColumns is called before Open with, for each column of the schema, whether the
	// query reads it. The source still returns every column, but may fill those not read
	// with placeholders (zeros, empty strings) made once.
	SkipColumns(read []bool)
}

// SourceStats counts what a source read and what it skipped.
type SourceStats struct {
	RowsRead    atomic.Int64 // rows turned into batch rows
	RowsSkipped atomic.Int64 // malformed rows skipped

	warn func(Warning)
}

// Warning is a problem with one input row, reported with where it is.
type Warning struct {
	File    string
	Line    int64
	Message string
}

func (w Warning) String() string {
	return fmt.Sprintf("%s:%d: %s", w.File, w.Line, w.Message)
}

// OnWarning sets the function that receives each skipped row's warning.
func (s *SourceStats) OnWarning(f func(Warning)) { s.warn = f }

// Warnings returns the function set by OnWarning, nil when none is.
func (s *SourceStats) Warnings() func(Warning) { return s.warn }

// Skip counts a skipped row and reports it.
func (s *SourceStats) Skip(w Warning) {
	s.RowsSkipped.Add(1)
	if s.warn != nil {
		s.warn(w)
	}
}

// OnError says what a source does with a malformed row.
type OnError string

// The on_error choices.
const (
	OnErrorSkip       OnError = "skip"       // skip, count and report it (the default)
	OnErrorFail       OnError = "fail"       // stop the query at it
	OnErrorDeadletter OnError = "deadletter" // skip, count, report it and keep it in a file
)

// FileOptions are the options of the file connector, as written in CREATE STREAM ... WITH.
type FileOptions struct {
	// Path is a file, or a glob of files read in name order; stdin and pipes are read
	// through NewReaderSource.
	Path      string
	Format    string   // csv, tsv, json, regex, parquet, arrow
	Header    *bool    // nil: true for csv and tsv
	Delimiter rune     // 0: ',' for csv, '\t' for tsv
	Null      []string // extra strings read as NULL
	// Pattern is the regular expression of the regex format; its named groups are columns.
	Pattern string
	OnError OnError
	// Deadletter is the file that keeps the raw rows rejected under OnErrorDeadletter, each
	// as its lines were read; it is created, or emptied, when the source opens.
	Deadletter string
	// Timezone is the zone of timestamps written without one; nil means UTC.
	Timezone *time.Location
	// Filename fills the column named filename with the path of each row's file.
	Filename  bool
	BatchSize int // rows per batch at most; 0 means 4096
	// Compression is "gzip", "zstd" or "none"; "" takes it from the path (.gz is gzip, .zst
	// and .zstd are zstd).
	Compression string
	// Progress, when not nil, receives a progress bar of the bytes read of the files, meant
	// for a terminal: the caller sets it only when stderr is one (see TerminalProgress).
	Progress io.Writer
}
