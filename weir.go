// Package weir is the embedding API of weir, a streaming SQL engine: open an engine, define
// streams, run continuous queries over them and read their results as Arrow record batches.
// The shell and the command line are built on it.
//
//	db, _ := weir.Open()
//	defer db.Close()
//	_ = db.Exec(ctx, `CREATE STREAM requests (...) WITH (connector = 'file', path = 'r.csv')`)
//	rows, _ := db.Query(ctx, `SELECT host, count(*) FROM requests GROUP BY host, TUMBLE(ts, 1m)`)
//	defer rows.Close()
//	for rows.Next() {
//		batch := rows.Batch() // valid until the next call to Next
//		...
//	}
package weir

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/weirsql/weir/connector"
	"github.com/weirsql/weir/exec"
	"github.com/weirsql/weir/functions"
	"github.com/weirsql/weir/parser"
	"github.com/weirsql/weir/planner"
)

// DB is one weir engine: a catalog of streams, a function registry and settings.
type DB struct {
	mem      memory.Allocator
	logger   *slog.Logger
	stdin    io.Reader
	catalog  *planner.Catalog
	registry *functions.Registry

	mu       sync.Mutex
	settings map[string]string
	closed   bool

	memLimit    int64
	workers     int
	stdinFormat string
	progress    io.Writer

	now    func() time.Time // the processing-time clock; tests set their own
	onWait func()           // called when a query waits for pushed events (tests)
}

// Option configures Open.
type Option func(*DB)

// WithAllocator sets the Arrow allocator every query uses.
func WithAllocator(mem memory.Allocator) Option { return func(db *DB) { db.mem = mem } }

// WithLogger sets the logger for operational messages; weir is silent without one.
func WithLogger(l *slog.Logger) Option { return func(db *DB) { db.logger = l } }

// WithMemoryLimit caps the bytes of state each query may hold (its windows' groups and
// aggregates, sketches included); a query past it fails with an error that says so. 0, the
// default, means no limit. SET memory_limit = '256MB' changes it for the queries that follow.
func WithMemoryLimit(bytes int64) Option { return func(db *DB) { db.memLimit = bytes } }

// MaxWorkers caps the default number of workers of WithWorkers.
const MaxWorkers = 8

// minProcsForWorkers is the GOMAXPROCS from which queries use workers by default: every
// worker hashes every event's key and copies its share of the batch, which roughly doubles
// the CPU per event, so that 2 workers on 2 cores are no faster than one.
const minProcsForWorkers = 4

// defaultWorkers is runtime.GOMAXPROCS(0), at most MaxWorkers, or 1 below
// minProcsForWorkers.
func defaultWorkers() int {
	n := runtime.GOMAXPROCS(0)
	if n < minProcsForWorkers {
		return 1
	}
	return min(n, MaxWorkers)
}

// WithWorkers sets how many workers a windowed GROUP BY is split across by key, each a
// goroutine aggregating its share of the keys; the rows and counters are exactly those of
// one worker. 1 runs every query on one goroutine. The default is runtime.GOMAXPROCS(0), at
// most MaxWorkers, when that is 4 or more, else 1. Queries the split cannot run exactly (no
// group key, per-window ORDER BY or LIMIT, analytic or user-defined functions) keep one
// worker. SET workers = 4 changes it for the queries that follow.
func WithWorkers(n int) Option { return func(db *DB) { db.workers = n } }

// WithProgress shows a progress bar on w while files are read (the CLI passes stderr when it
// is a terminal).
func WithProgress(w io.Writer) Option { return func(db *DB) { db.progress = w } }

// WithStdinFormat sets the format `FROM stdin` reads: csv (the default), tsv or json.
func WithStdinFormat(format string) Option { return func(db *DB) { db.stdinFormat = format } }

// WithStdin sets what `FROM stdin` and stdin streams read (os.Stdin by default).
func WithStdin(r io.Reader) Option { return func(db *DB) { db.stdin = r } }

// Open returns a new engine.
func Open(opts ...Option) (*DB, error) {
	db := &DB{
		mem:      memory.DefaultAllocator,
		logger:   slog.New(slog.DiscardHandler),
		stdin:    os.Stdin,
		catalog:  planner.NewCatalog(),
		registry: functions.NewRegistry(),
		settings: map[string]string{},
	}
	db.workers = defaultWorkers()
	globalFuncs.Lock()
	err := db.Register(globalFuncs.fns...)
	globalFuncs.Unlock()
	if err != nil {
		return nil, err
	}
	for _, o := range opts {
		o(db)
	}
	return db, nil
}

// Close releases the engine. Queries still running should be closed first.
func (db *DB) Close() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	db.closed = true
	return nil
}

// ErrClosed is returned by calls on a closed DB.
var ErrClosed = errors.New("weir: database is closed")

// Catalog returns the engine's catalog of streams.
func (db *DB) Catalog() *planner.Catalog { return db.catalog }

// Registry returns the engine's function registry.
func (db *DB) Registry() *functions.Registry { return db.registry }

// Exec runs statements that return no rows: CREATE STREAM, DROP STREAM, SET. Several
// statements may be separated by semicolons.
func (db *DB) Exec(ctx context.Context, sql string) error {
	stmts, err := parser.Parse(sql)
	if err != nil {
		return err
	}
	for _, st := range stmts {
		rows, err := db.Run(ctx, st)
		if err != nil {
			return err
		}
		if rows != nil {
			rows.Close()
			return fmt.Errorf("%d:%d: Exec runs statements without results; use Query",
				st.Pos.Line, st.Pos.Column)
		}
	}
	return nil
}

// Query runs one statement that returns rows: a SELECT, EXPLAIN, SHOW or DESCRIBE.
func (db *DB) Query(ctx context.Context, sql string) (*Rows, error) {
	stmts, err := parser.Parse(sql)
	if err != nil {
		return nil, err
	}
	if len(stmts) != 1 {
		return nil, fmt.Errorf("Query runs one statement, got %d", len(stmts))
	}
	rows, err := db.Run(ctx, stmts[0])
	if err != nil {
		return nil, err
	}
	if rows == nil {
		return nil, fmt.Errorf("%d:%d: the statement returns no rows; use Exec",
			stmts[0].Pos.Line, stmts[0].Pos.Column)
	}
	return rows, nil
}

// Parse splits a script into statements, for callers that run them one at a time.
func Parse(sql string) ([]*parser.Statement, error) { return parser.Parse(sql) }

// Run runs one parsed statement. It returns the rows of a statement that has a result, and
// nil rows for one that has none.
func (db *DB) Run(ctx context.Context, st *parser.Statement) (*Rows, error) {
	db.mu.Lock()
	closed := db.closed
	db.mu.Unlock()
	if closed {
		return nil, ErrClosed
	}
	switch {
	case st.CreateStream != nil:
		s, err := planner.CreateStream(st.CreateStream, db.registry)
		if err != nil {
			return nil, err
		}
		if s.Hub != nil {
			s.Hub = exec.NewHub(s.PhysicalSchema(), db.now) // the engine's clock
		}
		if _, exists := db.catalog.Lookup(st.CreateStream.Name.Parts[0]); exists &&
			st.CreateStream.IfNotExists {
			return nil, nil
		}
		if err := db.catalog.Add(s, st.CreateStream.OrReplace); err != nil {
			p := st.CreateStream.Name.Pos
			return nil, fmt.Errorf("%d:%d: %w", p.Line, p.Column, err)
		}
		return nil, nil
	case st.DropStream != nil:
		d := st.DropStream
		if !db.catalog.Drop(d.Name.Parts[0]) && !d.IfExists {
			return nil, fmt.Errorf("%d:%d: unknown stream %q", d.Name.Pos.Line,
				d.Name.Pos.Column, d.Name.String())
		}
		return nil, nil
	case st.Set != nil:
		return nil, db.set(st.Set)
	case st.Query != nil:
		return db.query(ctx, st.Query)
	case st.Insert != nil:
		return nil, db.insert(ctx, st.Insert)
	case st.Explain != nil:
		return db.explain(ctx, st.Explain)
	case st.Show != nil:
		return db.show(st.Show)
	case st.Describe != nil:
		return db.describe(st.Describe)
	}
	return nil, fmt.Errorf("%d:%d: unsupported statement", st.Pos.Line, st.Pos.Column)
}

func (db *DB) plan(q *parser.Query, stats *exec.Stats, analyze bool) (*planner.Plan,
	error) {
	env := &exec.Env{Mem: db.mem, Stats: stats, Now: db.now}
	db.mu.Lock()
	late := db.settings["late_file"]
	env.MemoryLimit = db.memLimit
	workers := db.workers
	db.mu.Unlock()
	return planner.PlanQuery(q, &planner.Context{
		Catalog: db.catalog, Registry: db.registry, Env: env, Stdin: db.stdin,
		LateFile: late, OnWait: db.onWait, Analyze: analyze, Progress: db.progress,
		StdinFormat: db.stdinFormat, Workers: workers,
		Prefetch: runtime.GOMAXPROCS(0) > 1,
	})
}

func (db *DB) query(ctx context.Context, q *parser.Query) (*Rows, error) {
	return db.start(ctx, q, false)
}

// start plans and opens a query.
func (db *DB) start(ctx context.Context, q *parser.Query, analyze bool) (*Rows, error) {
	stats := &exec.Stats{}
	p, err := db.plan(q, stats, analyze)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	r := &Rows{ctx: ctx, cancel: cancel, root: p.Root, sources: p.Sources, stats: stats,
		closers: p.Closers, plan: p, logger: db.logger, sql: q.String()}
	db.logger.Info("query started", "sql", r.sql)
	if err := p.Root.Open(ctx); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

func (db *DB) explain(ctx context.Context, e *parser.Explain) (*Rows, error) {
	if e.Analyze {
		return db.explainAnalyze(ctx, e.Query)
	}
	p, err := db.plan(e.Query, &exec.Stats{}, false)
	if err != nil {
		return nil, err
	}
	defer closePlan(p)
	lines := strings.Split(strings.TrimRight(p.Explain.String(), "\n"), "\n")
	return db.textRows("plan", lines), nil
}

// closePlan closes a plan that was made but not run (its operators were never opened).
func closePlan(p *planner.Plan) {
	p.Root.Close()
	for _, c := range p.Closers {
		c.Close()
	}
}

// explainAnalyze runs the query to its end, discarding its rows, and prints the plan with the
// rows each operator returned, then the query's counters.
func (db *DB) explainAnalyze(ctx context.Context, q *parser.Query) (*Rows, error) {
	rows, err := db.start(ctx, q, true)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	for rows.Next() {
	}
	elapsed := time.Since(start)
	runErr := rows.Err()
	s := rows.Stats()
	plan := rows.plan
	if err := rows.Close(); runErr == nil {
		runErr = err
	}
	if runErr != nil {
		return nil, runErr
	}
	lines := strings.Split(strings.TrimRight(plan.Explain.String(), "\n"), "\n")
	lines = append(lines, "",
		fmt.Sprintf("events read: %d, skipped: %d", s.EventsRead, s.EventsSkipped),
		fmt.Sprintf("late: %d dropped, %d late for some of their windows", s.LateDropped,
			s.LatePartial),
		fmt.Sprintf("windows fired: %d, rows out: %d", s.WindowsFired, s.RowsEmitted),
		fmt.Sprintf("state: %d bytes at the peak", s.PeakStateBytes),
		fmt.Sprintf("time: %s", elapsed.Round(time.Microsecond)))
	return db.textRows("plan", lines), nil
}

func (db *DB) show(s *parser.Show) (*Rows, error) {
	switch strings.ToLower(s.What) {
	case "streams":
		var names []string
		for _, st := range append(db.catalog.Streams(), planner.BuiltinStreams()...) {
			names = append(names, st.Name)
		}
		return db.textRows("name", names), nil
	case "functions":
		b := newTableBuilder(db.mem, "name", "kind", "signature", "summary")
		for _, e := range db.registry.Entries() {
			b.add(e.Name, e.Kind, e.Args, e.Summary)
		}
		return b.rows(), nil
	}
	return nil, fmt.Errorf("%d:%d: SHOW %s: expected STREAMS or FUNCTIONS", s.Pos.Line,
		s.Pos.Column, s.What)
}

// describe lists the columns of a stream, or of a query's result, with their types; a
// stream's computed columns show their expression.
func (db *DB) describe(d *parser.Describe) (*Rows, error) {
	if d.Query != nil {
		return db.describeQuery(d.Query)
	}
	st, ok := planner.ResolveStream(db.catalog, d.Name.Parts)
	if !ok {
		return nil, fmt.Errorf("%d:%d: unknown stream %q%s", d.Name.Pos.Line,
			d.Name.Pos.Column, d.Name.String(),
			planner.DidYouMean(d.Name.String(), planner.StreamNames(db.catalog)))
	}
	b := newTableBuilder(db.mem, "column", "type", "computed")
	for _, c := range st.Columns {
		comp := ""
		if c.Computed != nil {
			comp = c.Computed.String()
		}
		b.add(c.Name, functions.TypeName(c.Type), comp)
	}
	return b.rows(), nil
}

// describeQuery plans q, without running it, and lists its output columns in the layout of
// a stream's: a query's columns are not computed columns, so that column stays empty.
func (db *DB) describeQuery(q *parser.Query) (*Rows, error) {
	p, err := db.plan(q, &exec.Stats{}, false)
	if err != nil {
		return nil, err
	}
	defer closePlan(p)
	b := newTableBuilder(db.mem, "column", "type", "computed")
	for _, f := range p.Root.Schema().Fields() {
		b.add(f.Name, functions.TypeName(f.Type), "")
	}
	return b.rows(), nil
}

func (db *DB) textRows(column string, lines []string) *Rows {
	b := newTableBuilder(db.mem, column)
	for _, l := range lines {
		b.add(l)
	}
	return b.rows()
}

// tableBuilder makes the one-batch result of SHOW, DESCRIBE and EXPLAIN.
type tableBuilder struct {
	mem      memory.Allocator
	schema   *arrow.Schema
	builders []*array.StringBuilder
	n        int
}

func newTableBuilder(mem memory.Allocator, cols ...string) *tableBuilder {
	t := &tableBuilder{mem: mem}
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c, Type: functions.Varchar}
		t.builders = append(t.builders, array.NewStringBuilder(mem))
	}
	t.schema = arrow.NewSchema(fields, nil)
	return t
}

func (t *tableBuilder) add(vals ...string) {
	for i, v := range vals {
		t.builders[i].Append(v)
	}
	t.n++
}

func (t *tableBuilder) rows() *Rows {
	cols := make([]arrow.Array, len(t.builders))
	for i, b := range t.builders {
		cols[i] = b.NewArray()
		b.Release()
	}
	batch := array.NewRecordBatch(t.schema, cols, int64(t.n))
	for _, c := range cols {
		c.Release()
	}
	op := &batchOperator{schema: t.schema, batches: []arrow.RecordBatch{batch}}
	ctx, cancel := context.WithCancel(context.Background())
	return &Rows{ctx: ctx, cancel: cancel, root: op, stats: &exec.Stats{}}
}

// batchOperator returns batches it holds.
type batchOperator struct {
	schema  *arrow.Schema
	batches []arrow.RecordBatch
}

func (o *batchOperator) Schema() *arrow.Schema      { return o.schema }
func (o *batchOperator) Open(context.Context) error { return nil }
func (o *batchOperator) Next(context.Context) (arrow.RecordBatch, error) {
	if len(o.batches) == 0 {
		return nil, io.EOF
	}
	b := o.batches[0]
	o.batches = o.batches[1:]
	return b, nil
}

func (o *batchOperator) Close() error {
	for _, b := range o.batches {
		b.Release()
	}
	o.batches = nil
	return nil
}

// Rows is the result of a query: a sequence of record batches, read with Next and Batch.
type Rows struct {
	ctx     context.Context
	cancel  context.CancelFunc
	root    exec.Operator
	sources []connector.Source
	closers []io.Closer
	plan    *planner.Plan
	logger  *slog.Logger
	sql     string
	stats   *exec.Stats
	batch   arrow.RecordBatch
	err     error
	closed  bool
}

// Schema is the schema of every batch.
func (r *Rows) Schema() *arrow.Schema { return r.root.Schema() }

// Next advances to the next batch, blocking until one is ready; it returns false at the end of
// the result or on an error (see Err).
func (r *Rows) Next() bool {
	if r.batch != nil {
		r.batch.Release()
		r.batch = nil
	}
	if r.closed || r.err != nil {
		return false
	}
	for {
		b, err := r.root.Next(r.ctx)
		if errors.Is(err, io.EOF) {
			return false
		}
		if err != nil {
			r.err = err
			return false
		}
		if b.NumRows() == 0 {
			b.Release()
			continue
		}
		r.stats.RowsEmitted.Add(b.NumRows())
		r.batch = b
		return true
	}
}

// Batch is the current batch, valid until the next call to Next or Close; Retain it to keep
// it longer.
func (r *Rows) Batch() arrow.RecordBatch { return r.batch }

// Err is the error that ended the result, if any.
func (r *Rows) Err() error { return r.err }

// Stats is a snapshot of the query's counters.
func (r *Rows) Stats() Stats {
	s := r.stats.Snapshot()
	for _, src := range r.sources {
		s.EventsSkipped += src.Stats().RowsSkipped.Load()
	}
	return s
}

// Stats are a query's counters: events read, late, skipped, windows fired, state bytes.
type Stats = exec.Snapshot

// Close stops the query and releases everything it holds; it may be called more than once.
func (r *Rows) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	if r.batch != nil {
		r.batch.Release()
		r.batch = nil
	}
	r.cancel()
	err := r.root.Close()
	for _, c := range r.closers {
		if cerr := c.Close(); err == nil {
			err = cerr
		}
	}
	if r.logger != nil {
		s := r.Stats()
		r.logger.Info("query ended", "sql", r.sql, "events", s.EventsRead,
			"late_dropped", s.LateDropped, "skipped", s.EventsSkipped,
			"windows_fired", s.WindowsFired, "rows", s.RowsEmitted, "err", r.err)
	}
	return err
}

// OnWarning routes the warnings of the query's sources (skipped rows) to f.
func (r *Rows) OnWarning(f func(connector.Warning)) {
	for _, s := range r.sources {
		s.Stats().OnWarning(f)
	}
}

// set runs SET name = value.
func (db *DB) set(s *parser.Set) error {
	name, value := strings.ToLower(s.Name), s.Value.Text()
	db.mu.Lock()
	defer db.mu.Unlock()
	switch name {
	case "memory_limit":
		n, err := ParseBytes(value)
		if err != nil {
			return fmt.Errorf("%d:%d: memory_limit: %w", s.Value.Pos.Line, s.Value.Pos.Column, err)
		}
		db.memLimit = n
	case "workers":
		n, err := strconv.Atoi(value)
		if err != nil || n < 1 || n > 256 {
			return fmt.Errorf("%d:%d: workers: %q is not a number from 1 to 256",
				s.Value.Pos.Line, s.Value.Pos.Column, value)
		}
		db.workers = n
	case "late_file":
	default:
		return fmt.Errorf("%d:%d: unknown setting %q (known: late_file, memory_limit, workers)",
			s.Pos.Line, s.Pos.Column, s.Name)
	}
	db.settings[name] = value
	return nil
}

// ParseBytes reads a size such as 256MB, 1.5GB, 64KB or 1000 (bytes); KB is 1024 bytes.
func ParseBytes(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"TB", 1 << 40}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("%q is not a size such as 256MB", s)
	}
	return int64(f * float64(mult)), nil
}
