package planner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/weirsql/weir/connector"
	"github.com/weirsql/weir/exec"
)

// openSource makes the source of a stream from its WITH options.
func openSource(st *Stream, pc *Context) (connector.Source, error) {
	schema := st.PhysicalSchema()
	switch st.Options["connector"] {
	case "nexmark":
		opts, err := nexmarkOptions(st)
		if err != nil {
			return nil, err
		}
		return connector.NewNexmarkSource(opts, schema, pc.Env.Mem)
	case "datagen":
		opts, err := datagenOptions(st)
		if err != nil {
			return nil, err
		}
		return connector.NewDatagenSource(opts, schema, pc.Env.Mem)
	case "":
		sub := st.Hub.Subscribe()
		sub.OnWait = pc.OnWait
		return &subscription{Subscription: sub}, nil
	}
	opts, err := fileOptions(st)
	if err != nil {
		return nil, err
	}
	switch st.Options["connector"] {
	case "file":
		opts.Progress = pc.Progress
		return connector.NewFileSource(opts, schema, pc.Env.Mem)
	case "stdin":
		if pc.Stdin == nil {
			return nil, fmt.Errorf("no standard input to read")
		}
		return connector.NewReaderSource("stdin", pc.Stdin, opts, schema, pc.Env.Mem)
	}
	return nil, fmt.Errorf("unknown connector %q", st.Options["connector"])
}

// streamUnbounded reports whether the stream's source never ends by itself: a generator
// without an events or rows bound.
func streamUnbounded(st *Stream) bool {
	o := st.Options
	switch o["connector"] {
	case "nexmark":
		return o["events"] == "" || o["events"] == "0"
	case "datagen":
		return o["rows"] == "" || o["rows"] == "0"
	}
	return false
}

// subscription adapts a hub subscription to a connector.Source.
type subscription struct {
	*exec.Subscription
	stats connector.SourceStats
}

func (s *subscription) Stats() *connector.SourceStats { return &s.stats }

// fileOptions reads the options of a file or stdin stream. For the generators it checks
// their options instead and returns no file options, so that planning reports a bad option
// before the query opens its source.
func fileOptions(st *Stream) (connector.FileOptions, error) {
	o := st.Options
	switch o["connector"] {
	case "nexmark":
		_, err := nexmarkOptions(st)
		return connector.FileOptions{}, err
	case "datagen":
		_, err := datagenOptions(st)
		return connector.FileOptions{}, err
	}
	opts := connector.FileOptions{Path: o["path"], Format: strings.ToLower(o["format"])}
	if opts.Format == "" {
		opts.Format = formatOf(opts.Path)
	}
	switch opts.Format {
	case "csv", "tsv", "json":
	case "parquet", "arrow":
		if o["connector"] == "stdin" {
			return opts, fmt.Errorf("format %q is read from files only", opts.Format)
		}
	case "regex":
		opts.Pattern = o["pattern"]
		if opts.Pattern == "" {
			return opts, fmt.Errorf("format 'regex' needs a pattern option")
		}
		if _, err := connector.CompilePattern(opts.Pattern); err != nil {
			return opts, err
		}
	default:
		return opts, fmt.Errorf("unknown format %q (use csv, tsv, json, parquet, arrow "+
			"or regex)", opts.Format)
	}
	if o["pattern"] != "" && opts.Format != "regex" {
		return opts, fmt.Errorf("option pattern needs format = 'regex'")
	}
	var err error
	if opts.Header, err = boolOption(o, "header"); err != nil {
		return opts, err
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
	switch c := strings.ToLower(o["compression"]); c {
	case "", "gzip", "zstd", "none":
		opts.Compression = c
	default:
		return opts, fmt.Errorf("compression must be gzip, zstd or none, got %q", c)
	}
	if err := onErrorOption(st, &opts); err != nil {
		return opts, err
	}
	if tz, ok := o["timezone"]; ok {
		if opts.Timezone, err = connector.LoadTimezone(tz); err != nil {
			return opts, err
		}
	}
	filename, err := boolOption(o, "filename")
	if err != nil {
		return opts, err
	}
	if filename != nil && *filename {
		if !hasColumn(st, connector.FilenameColumn) {
			return opts, fmt.Errorf("filename = true needs the stream to declare a column " +
				"filename VARCHAR")
		}
		opts.Filename = true
	}
	return opts, nil
}

func onErrorOption(st *Stream, opts *connector.FileOptions) error {
	o := st.Options
	switch oe := strings.ToLower(o["on_error"]); oe {
	case "", "skip":
		opts.OnError = connector.OnErrorSkip
	case "fail":
		opts.OnError = connector.OnErrorFail
	case "deadletter":
		opts.OnError = connector.OnErrorDeadletter
		if o["deadletter"] == "" {
			return fmt.Errorf("on_error = 'deadletter' needs a deadletter option, the file " +
				"that keeps the rejected rows")
		}
	default:
		return fmt.Errorf("on_error must be skip, fail or deadletter, got %q", oe)
	}
	if o["deadletter"] != "" && opts.OnError != connector.OnErrorDeadletter {
		return fmt.Errorf("option deadletter needs on_error = 'deadletter'")
	}
	opts.Deadletter = o["deadletter"]
	return nil
}

// boolOption reads an option that is true or false; nil when it is not given.
func boolOption(o map[string]string, key string) (*bool, error) {
	v, ok := o[key]
	if !ok {
		return nil, nil
	}
	b := strings.EqualFold(v, "true")
	if !b && !strings.EqualFold(v, "false") {
		return nil, fmt.Errorf("%s must be true or false, got %q", key, v)
	}
	return &b, nil
}

// intOption reads an option that is an integer, such as 1000000 or 1_000_000; def when it
// is not given.
func intOption(o map[string]string, key string, def int64) (int64, error) {
	v, ok := o[key]
	if !ok {
		return def, nil
	}
	n, err := strconv.ParseInt(strings.ReplaceAll(strings.TrimSpace(v), "_", ""), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s must be an integer, got %q", key, v)
	}
	return n, nil
}

func hasColumn(st *Stream, name string) bool {
	for _, c := range st.Columns {
		if strings.EqualFold(c.Name, name) && c.Computed == nil {
			return true
		}
	}
	return false
}

// nexmarkOptions reads the options of a nexmark stream: table, events, rate, seed, pace.
func nexmarkOptions(st *Stream) (connector.NexmarkOptions, error) {
	o := st.Options
	opts := connector.NexmarkOptions{Table: strings.ToLower(o["table"])}
	if opts.Table == "" {
		return opts, fmt.Errorf("connector 'nexmark' needs a table option (%s)",
			strings.Join(connector.NexmarkTables(), ", "))
	}
	if _, err := connector.NexmarkSchema(opts.Table); err != nil {
		return opts, err
	}
	var err error
	if opts.Events, err = intOption(o, "events", 0); err != nil {
		return opts, err
	}
	if opts.Events < 0 {
		return opts, fmt.Errorf("events must not be negative, got %d", opts.Events)
	}
	if opts.Rate, err = intOption(o, "rate", connector.NexmarkDefaultRate); err != nil {
		return opts, err
	}
	if opts.Rate <= 0 {
		return opts, fmt.Errorf("rate must be positive, got %d", opts.Rate)
	}
	seed, err := intOption(o, "seed", 1)
	if err != nil {
		return opts, err
	}
	opts.Seed = uint64(seed)
	pace, err := boolOption(o, "pace")
	if err != nil {
		return opts, err
	}
	opts.Pace = pace != nil && *pace
	return opts, nil
}

// datagenOptions reads the options of a datagen stream: rows, rate, seed and the
// 'fields.<column>.<property>' options of its columns.
func datagenOptions(st *Stream) (connector.DatagenOptions, error) {
	o := st.Options
	opts := connector.DatagenOptions{Fields: map[string]connector.DatagenField{}}
	var err error
	if opts.Rows, err = intOption(o, "rows", 0); err != nil {
		return opts, err
	}
	if opts.Rate, err = intOption(o, "rate", connector.DatagenDefaultRate); err != nil {
		return opts, err
	}
	seed, err := intOption(o, "seed", 1)
	if err != nil {
		return opts, err
	}
	opts.Seed = uint64(seed)
	for k, v := range o {
		rest, ok := strings.CutPrefix(k, "fields.")
		if !ok {
			continue
		}
		dot := strings.LastIndexByte(rest, '.')
		if dot <= 0 {
			return opts, fmt.Errorf("option %q: write 'fields.<column>.<property>'", k)
		}
		col, prop := rest[:dot], rest[dot+1:]
		if !hasColumn(st, col) {
			return opts, fmt.Errorf("option %q: the stream has no column %q", k, col)
		}
		f := opts.Fields[strings.ToLower(col)]
		if err := f.Set(prop, v); err != nil {
			return opts, fmt.Errorf("option %q: %w", k, err)
		}
		opts.Fields[strings.ToLower(col)] = f
	}
	return opts, nil
}

// formatOf guesses a file's format from its extension.
func formatOf(path string) string {
	p := strings.ToLower(path)
	for _, ext := range []string{".gz", ".zst", ".zstd"} {
		p = strings.TrimSuffix(p, ext)
	}
	switch filepath.Ext(p) {
	case ".tsv", ".tab":
		return "tsv"
	case ".json", ".jsonl", ".ndjson":
		return "json"
	case ".parquet":
		return "parquet"
	case ".arrow", ".arrows", ".ipc", ".feather":
		return "arrow"
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
	case "nexmark":
		events := o["events"]
		if events == "" || events == "0" {
			events = "unbounded"
		}
		return fmt.Sprintf("nexmark %s (events %s)", strings.ToLower(o["table"]), events)
	case "datagen":
		rows := o["rows"]
		if rows == "" || rows == "0" {
			rows = "unbounded"
		}
		return fmt.Sprintf("datagen (rows %s)", rows)
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
	node   *Node  // the scan in EXPLAIN
	read   []bool // by column: whether the query reads it; nil when not known
	skips  bool   // whether the connector can skip the columns not read
	// tick, for a stream fed by the program, is how long a query waits for events before it
	// looks at the clock anyway (EMIT EVERY, idle partitions); 0 for never.
	tick time.Duration
}

// tickAt asks the source to wake the query at least every d of processing time while it
// waits for events.
func (l *lazySource) tickAt(d time.Duration) {
	if d > 0 && (l.tick == 0 || d < l.tick) {
		l.tick = d
	}
}

var _ connector.Source = (*lazySource)(nil)

func (l *lazySource) Schema() *arrow.Schema { return l.schema }

func (l *lazySource) Open(ctx context.Context) error {
	src, err := l.open()
	if err != nil {
		return fmt.Errorf("stream %s: %w", l.name, err)
	}
	l.src = src
	if sub, ok := src.(*subscription); ok {
		sub.Tick = l.tick
	}
	if sk, ok := src.(connector.ColumnSkipper); ok && l.read != nil {
		sk.SkipColumns(l.read)
	}
	if f := l.empty.Warnings(); f != nil {
		src.Stats().OnWarning(f) // set before the source was opened
	}
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
		return &connector.WriteError{Path: l.path, Err: err}
	}
	if err := l.w.Flush(); err != nil {
		return &connector.WriteError{Path: l.path, Err: err}
	}
	return nil
}

// open creates the file; a failure is a *connector.WriteError, as for the query's output.
func (l *lateFile) open() error {
	if l.w != nil {
		return nil
	}
	f, err := os.Create(l.path)
	if err != nil {
		return &connector.WriteError{Path: l.path, Err: err}
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
	if err != nil {
		return &connector.WriteError{Path: l.path, Err: err}
	}
	return nil
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
