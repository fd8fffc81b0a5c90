package planner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/weirsql/weir/connector"
	"github.com/weirsql/weir/exec"
)

// openSource makes the source of a stream from its WITH options.
func openSource(st *Stream, pc *Context) (connector.Source, error) {
	opts, err := fileOptions(st)
	if err != nil {
		return nil, err
	}
	schema := st.PhysicalSchema()
	switch st.Options["connector"] {
	case "file":
		return connector.NewFileSource(opts, schema, pc.Env.Mem)
	case "":
		sub := st.Hub.Subscribe()
		sub.OnWait = pc.OnWait
		return &subscription{Subscription: sub}, nil
	case "stdin":
		if pc.Stdin == nil {
			return nil, fmt.Errorf("no standard input to read")
		}
		return connector.NewReaderSource("stdin", pc.Stdin, opts, schema, pc.Env.Mem)
	}
	return nil, fmt.Errorf("unknown connector %q", st.Options["connector"])
}

// subscription adapts a hub subscription to a connector.Source.
type subscription struct {
	*exec.Subscription
	stats connector.SourceStats
}

func (s *subscription) Stats() *connector.SourceStats { return &s.stats }

func fileOptions(st *Stream) (connector.FileOptions, error) {
	o := st.Options
	opts := connector.FileOptions{Path: o["path"], Format: strings.ToLower(o["format"])}
	if opts.Format == "" {
		opts.Format = formatOf(opts.Path)
	}
	switch opts.Format {
	case "csv", "tsv", "json":
	default:
		return opts, fmt.Errorf("unknown format %q (use csv, tsv or json)", opts.Format)
	}
	if h, ok := o["header"]; ok {
		v := strings.EqualFold(h, "true")
		if !v && !strings.EqualFold(h, "false") {
			return opts, fmt.Errorf("header must be true or false, got %q", h)
		}
		opts.Header = &v
	}
	if d, ok := o["delimiter"]; ok {
		r := []rune(d)
		if d == `\t` {
			r = []rune{'\t'}
		}
		if len(r) != 1 {
			return opts, fmt.Errorf("delimiter must be one character, got %q", d)
		}
		opts.Delimiter = r[0]
	}
	if n, ok := o["null"]; ok {
		opts.Null = []string{n}
	}
	switch oe := strings.ToLower(o["on_error"]); oe {
	case "", "skip":
		opts.OnError = connector.OnErrorSkip
	case "fail":
		opts.OnError = connector.OnErrorFail
	default:
		return opts, fmt.Errorf("on_error must be skip or fail, got %q", oe)
	}
	return opts, nil
}

// formatOf guesses a file's format from its extension.
func formatOf(path string) string {
	p := strings.TrimSuffix(strings.ToLower(path), ".gz")
	switch filepath.Ext(p) {
	case ".tsv", ".tab":
		return "tsv"
	case ".json", ".jsonl", ".ndjson":
		return "json"
	}
	return "csv"
}

func describeSource(st *Stream) string {
	o := st.Options
	switch o["connector"] {
	case "file":
		f := o["format"]
		if f == "" {
			f = formatOf(o["path"])
		}
		return fmt.Sprintf("file %s (%s)", o["path"], f)
	case "":
		return "appenders"
	}
	return o["connector"]
}

func formatMicros(us int64) string {
	return time.Duration(us * int64(time.Microsecond)).String()
}

// lazySource opens its connector when the query opens, not while it is planned, so that
// planning (and EXPLAIN) reads no file and reports SQL errors before I/O errors.
type lazySource struct {
	name   string
	schema *arrow.Schema
	open   func() (connector.Source, error)
	src    connector.Source
	empty  connector.SourceStats
}

var _ connector.Source = (*lazySource)(nil)

func (l *lazySource) Schema() *arrow.Schema { return l.schema }

func (l *lazySource) Open(ctx context.Context) error {
	src, err := l.open()
	if err != nil {
		return fmt.Errorf("stream %s: %w", l.name, err)
	}
	l.src = src
	return src.Open(ctx)
}

func (l *lazySource) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if l.src == nil {
		return nil, fmt.Errorf("stream %s is not open", l.name)
	}
	return l.src.Next(ctx)
}

func (l *lazySource) Close() error {
	if l.src == nil {
		return nil
	}
	return l.src.Close()
}

// LastPartition forwards to a partitioned source.
func (l *lazySource) LastPartition() int {
	if p, ok := l.src.(exec.Partitioned); ok {
		return p.LastPartition()
	}
	return 0
}

// Partitions forwards to a partitioned source.
func (l *lazySource) Partitions() []exec.PartitionState {
	if p, ok := l.src.(exec.Partitioned); ok {
		return p.Partitions()
	}
	return []exec.PartitionState{{ID: 0, Open: true}}
}

func (l *lazySource) Stats() *connector.SourceStats {
	if l.src == nil {
		return &l.empty
	}
	return l.src.Stats()
}

// lateFile writes the events a query drops as late to a CSV file, in the stream's columns,
// as they are dropped.
type lateFile struct {
	path   string
	schema *arrow.Schema
	mem    memory.Allocator
	f      *os.File
	w      connector.RowWriter
}

func (l *lateFile) write(b arrow.RecordBatch, rows []int) error {
	if err := l.open(); err != nil {
		return err
	}
	sub, err := exec.TakeRows(l.mem, b, rows, l.schema)
	if err != nil {
		return err
	}
	defer sub.Release()
	if err := l.w.WriteBatch(sub); err != nil {
		return err
	}
	return l.w.Flush()
}

func (l *lateFile) open() error {
	if l.w != nil {
		return nil
	}
	f, err := os.Create(l.path)
	if err != nil {
		return err
	}
	w, err := connector.NewRowWriter("csv", f, l.schema)
	if err != nil {
		f.Close()
		return err
	}
	l.f, l.w = f, w
	return nil
}

// Close writes the header even when nothing was late, so that the file says so.
func (l *lateFile) Close() error {
	if err := l.open(); err != nil {
		return err
	}
	err := l.w.Close()
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	return err
}

func lateSink(pc *Context, p *Plan, st *Stream) exec.LateSink {
	var schema *arrow.Schema
	if st != nil {
		schema = st.PhysicalSchema()
	}
	l := &lateFile{path: pc.LateFile, schema: schema, mem: pc.Env.Mem}
	p.Closers = append(p.Closers, l)
	return l.write
}
