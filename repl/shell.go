// Package repl is weir's interactive shell: it reads SQL and meta-commands line by line,
// runs each statement as soon as its semicolon is typed, and prints results as windows fire.
//
// The shell reads through a LineReader: Terminal on a terminal (line editing, history,
// completion), Script for files, pipes and tests.
package repl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/weirsql/weir"
	"github.com/weirsql/weir/connector"
	"github.com/weirsql/weir/parser"
	"github.com/weirsql/weir/planner"
)

// The prompts: one for a new statement, one while a statement continues over lines.
const (
	Prompt   = "weir> "
	Continue = "   ...> "
)

// maxReadDepth bounds how deeply .read files may read others.
const maxReadDepth = 16

// maxWarnings is how many skipped-row warnings a query prints; the rest are counted.
const maxWarnings = 10

var errWriterClosed = errors.New("writer is closed")

// Config is what a Shell needs.
type Config struct {
	DB  *weir.DB
	In  LineReader
	Out io.Writer // results, when no .output file is set
	Err io.Writer // errors, warnings and summaries
	// Mode is the output mode to start in (table when empty); see .mode.
	Mode string
	// Width returns the terminal's width: tables on the screen are fitted to it, charts fill
	// it. When nil, tables are not fitted and charts are 80 columns wide.
	Width func() int
}

// Shell is one session of the interactive shell.
type Shell struct {
	db     *weir.DB
	in     LineReader
	screen io.Writer
	errw   io.Writer
	width  func() int

	out   io.Writer // where results go: screen or the .output file
	file  *os.File  // the .output file
	mode  string
	timer bool
	chart string // the column .chart plots, "" when off
	depth int    // how many .read files are open

	mu          sync.Mutex
	cancel      context.CancelFunc // the running query's, nil between queries
	interrupted bool
	stats       *queryStats // of the running or last query
}

// queryStats is what .stats shows.
type queryStats struct {
	sql     string
	stats   weir.Stats
	started time.Time
	took    time.Duration
	state   string // running, finished, cancelled or failed
}

// New returns a shell; Run starts it.
func New(cfg Config) *Shell {
	s := &Shell{db: cfg.DB, in: cfg.In, screen: cfg.Out, errw: cfg.Err, width: cfg.Width,
		out: cfg.Out, mode: strings.ToLower(cfg.Mode)}
	if s.mode == "" {
		s.mode = "table"
	}
	return s
}

// Run reads and runs statements and meta-commands until .quit, the end of input or ctx is
// done; it returns ctx's error in the last case and nil otherwise.
func (s *Shell) Run(ctx context.Context) error {
	defer s.closeOutput()
	_, err := s.loop(ctx, s.in)
	return err
}

// SetOutput sends results to the file at path, as .output does, or back to the screen when
// path is empty.
func (s *Shell) SetOutput(path string) error {
	var args []string
	if path != "" {
		args = []string{path}
	}
	_, err := s.setOutput(context.Background(), args)
	return err
}

// Interrupt cancels the running query, as Ctrl-C does; the shell then returns to the
// prompt. It does nothing between queries. It may be called from any goroutine.
func (s *Shell) Interrupt() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancel != nil {
		s.cancel()
		s.interrupted = true
	}
}

// loop runs what in gives until its end, .quit (quit is then true) or ctx is done.
func (s *Shell) loop(ctx context.Context, in LineReader) (quit bool, err error) {
	var pending strings.Builder // a statement still being typed
	var lines []string          // its lines, for the history
	for {
		if err := ctx.Err(); err != nil {
			return true, err
		}
		if pending.Len() == 0 {
			in.SetPrompt(Prompt)
		} else {
			in.SetPrompt(Continue)
		}
		line, err := in.Readline()
		switch {
		case errors.Is(err, ErrInterrupt):
			pending.Reset() // Ctrl-C while typing drops the statement, as psql does
			lines = nil
			continue
		case errors.Is(err, io.EOF):
			return false, ctx.Err()
		case err != nil:
			return true, err
		}

		if pending.Len() == 0 && isMeta(line) {
			s.remember(in, line)
			if s.meta(ctx, line) {
				return true, ctx.Err()
			}
			continue
		}
		if pending.Len() == 0 && strings.TrimSpace(line) == "" {
			continue
		}
		pending.WriteString(line)
		pending.WriteByte('\n')
		lines = append(lines, line)
		stmts, rest := Split(pending.String())
		pending.Reset()
		pending.WriteString(rest)
		if len(stmts) == 0 {
			continue
		}
		s.remember(in, lines...) // before running: a query may run for a long time
		lines = nil
		if rest != "" {
			lines = []string{strings.TrimSpace(rest)}
		}
		for _, st := range stmts {
			s.execute(ctx, st)
		}
	}
}

// remember adds what the user typed to the history: a statement over several lines as one
// entry, unless a -- comment in it would swallow the lines after it when joined.
func (s *Shell) remember(in LineReader, lines ...string) {
	h, ok := in.(historyKeeper)
	if !ok {
		return
	}
	joined := strings.Join(lines, " ")
	if strings.Contains(joined, "--") {
		for _, l := range lines {
			_ = h.SaveHistory(l)
		}
		return
	}
	_ = h.SaveHistory(strings.TrimSpace(joined))
}

// execute runs the statements of sql, a text that Split returned, and shows any error with
// a caret under the place it points at.
func (s *Shell) execute(ctx context.Context, sql string) {
	stmts, err := weir.Parse(sql)
	if err != nil {
		s.showError(sql, err)
		return
	}
	for _, st := range stmts {
		if err := s.run(ctx, st, sql); err != nil {
			if ctx.Err() == nil {
				s.showError(sql, err)
			}
			return
		}
	}
}

// run runs one statement and prints its rows as they come. A cancelled query is not an
// error: the shell says so and goes on.
func (s *Shell) run(ctx context.Context, st *parser.Statement, sql string) error {
	qctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.begin(cancel, st, sql)
	start := time.Now()

	rows, err := s.db.Run(qctx, st)
	if err != nil {
		return s.end(st, nil, err)
	}
	if rows == nil {
		s.showTime(start)
		return s.end(st, nil, nil)
	}
	defer rows.Close()
	warned := 0
	rows.OnWarning(func(w connector.Warning) {
		if warned++; warned <= maxWarnings {
			fmt.Fprintf(s.errw, "Warning: %s (row skipped)\n", w)
		}
	})

	err = s.print(rows, st)
	rows.Close()
	if err = s.end(st, rows, err); err != nil {
		return err
	}
	if sum := Summary(rows.Stats()); sum != "" && st.Query != nil {
		fmt.Fprintf(s.errw, "Warning: %s\n", sum)
	}
	s.showTime(start)
	return nil
}

// print writes the rows of a result in the output mode, flushing after each batch so that
// rows show as windows fire.
func (s *Shell) print(rows *weir.Rows, st *parser.Statement) error {
	w, err := s.writer(rows.Schema())
	if err != nil {
		return err
	}
	for rows.Next() {
		if err := w.WriteBatch(rows.Batch()); err != nil {
			w.Close()
			return s.writeError(err)
		}
		if err := w.Flush(); err != nil {
			w.Close()
			return s.writeError(err)
		}
		if st.Query != nil {
			s.setStats(rows.Stats())
		}
	}
	if s.file == nil && s.wasInterrupted() {
		io.WriteString(s.screen, "\r") // the table's foot goes over the terminal's ^C
	}
	if err := w.Close(); err != nil {
		return s.writeError(err)
	}
	return rows.Err()
}

// writeError names the .output file in a failure to write it ("out.csv: write: no space
// left on device").
func (s *Shell) writeError(err error) error {
	if s.file == nil {
		return err
	}
	return &connector.WriteError{Path: s.file.Name(), Err: err}
}

// writer returns the writer of the output mode, or the chart when .chart is on.
func (s *Shell) writer(schema *arrow.Schema) (connector.RowWriter, error) {
	var w connector.RowWriter
	switch s.mode {
	case "table":
		t := newTableWriter(s.out, schema)
		if s.file == nil && s.width != nil {
			t.g.fit = s.width()
		}
		w = t
	case "line":
		w = newLineWriter(s.out, schema)
	default:
		var err error
		if w, err = connector.NewRowWriter(s.mode, s.out, schema); err != nil {
			return nil, err
		}
	}
	if s.chart == "" {
		return w, nil
	}
	width := s.width
	if width == nil {
		width = func() int { return 80 }
	}
	c, err := newChartWriter(s.screen, schema, s.chart, width)
	if err != nil {
		w.Close()
		return nil, err
	}
	if s.file == nil {
		return c, nil // the chart takes the screen's place
	}
	return teeWriter{w, c}, nil
}

// begin records the running query, so that Interrupt can cancel it and .stats show it.
func (s *Shell) begin(cancel context.CancelFunc, st *parser.Statement, sql string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cancel, s.interrupted = cancel, false
	if st.Query != nil {
		s.stats = &queryStats{sql: sql, started: time.Now(), state: "running"}
	}
}

// end records how the query ended. An interrupted query's error is dropped: the shell says
// the query was cancelled instead.
func (s *Shell) end(st *parser.Statement, rows *weir.Rows, err error) error {
	s.mu.Lock()
	interrupted := s.interrupted
	s.cancel, s.interrupted = nil, false
	if q := s.stats; q != nil && st.Query != nil {
		if rows != nil {
			q.stats = rows.Stats()
		}
		q.took = time.Since(q.started)
		switch {
		case interrupted:
			q.state = "cancelled"
		case err != nil:
			q.state = "failed"
		default:
			q.state = "finished"
		}
	}
	s.mu.Unlock()

	if interrupted {
		fmt.Fprintln(s.errw, "Cancelled.")
		return nil
	}
	return err
}

func (s *Shell) wasInterrupted() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.interrupted
}

func (s *Shell) setStats(st weir.Stats) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stats != nil {
		s.stats.stats = st
	}
}

func (s *Shell) showTime(start time.Time) {
	if s.timer {
		fmt.Fprintf(s.screen, "Run Time: real %.3fs\n", time.Since(start).Seconds())
	}
}

// showError prints err and, when it points at a line and column of sql, that line with a
// caret under the column.
func (s *Shell) showError(sql string, err error) {
	fmt.Fprintf(s.errw, "Error: %v\n", err)
	line, col, ok := position(err)
	lines := strings.Split(sql, "\n")
	if !ok || line < 1 || line > len(lines) || col < 1 {
		return
	}
	fmt.Fprint(s.errw, caret(fmt.Sprintf("LINE %d: ", line), lines[line-1], col))
}

// caret returns prefix and text on one line, and a caret under column col of text (counted
// in characters from 1) on the next. Tabs before the column are kept so that the caret
// lines up however wide the terminal draws them.
func caret(prefix, text string, col int) string {
	runes := []rune(text)
	col = min(col, len(runes)+1)
	var pad strings.Builder
	pad.WriteString(strings.Repeat(" ", len(prefix)))
	for _, r := range runes[:col-1] {
		if r == '\t' {
			pad.WriteByte('\t')
		} else {
			pad.WriteString(strings.Repeat(" ", textWidth(string(r))))
		}
	}
	return prefix + text + "\n" + pad.String() + "^\n"
}

// position returns the line and column an error points at.
func position(err error) (line, col int, ok bool) {
	var pe *parser.Error
	if errors.As(err, &pe) {
		return pe.Pos.Line, pe.Pos.Column, true
	}
	var qe *planner.Error
	if errors.As(err, &qe) {
		return qe.Pos.Line, qe.Pos.Column, true
	}
	n, _ := fmt.Sscanf(err.Error(), "%d:%d:", &line, &col)
	return line, col, n == 2
}

// Summary says how many events a query dropped as late and skipped as malformed, out of how
// many it read; it is empty when there were none.
func Summary(s weir.Stats) string {
	var parts []string
	if s.LateDropped > 0 {
		parts = append(parts, plural(s.LateDropped, "late event")+" dropped")
	}
	if s.LatePartial > 0 {
		their := " late for some of their windows"
		if s.LatePartial == 1 {
			their = " late for some of its windows"
		}
		parts = append(parts, plural(s.LatePartial, "event")+their)
	}
	if s.EventsSkipped > 0 {
		parts = append(parts, plural(s.EventsSkipped, "malformed row")+" skipped")
	}
	if len(parts) == 0 {
		return ""
	}
	return fmt.Sprintf("%s (%s read)", strings.Join(parts, ", "), plural(s.EventsRead, "event"))
}

func plural(n int64, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// teeWriter writes results to two writers: the .output file and the chart.
type teeWriter [2]connector.RowWriter

func (t teeWriter) WriteBatch(b arrow.RecordBatch) error {
	return errors.Join(t[0].WriteBatch(b), t[1].WriteBatch(b))
}

func (t teeWriter) Flush() error { return errors.Join(t[0].Flush(), t[1].Flush()) }
func (t teeWriter) Close() error { return errors.Join(t[0].Close(), t[1].Close()) }

// The writers satisfy connector.RowWriter.
var (
	_ connector.RowWriter = (*tableWriter)(nil)
	_ connector.RowWriter = (*lineWriter)(nil)
	_ connector.RowWriter = (*chartWriter)(nil)
	_ connector.RowWriter = teeWriter{}
)
