// Command weir runs streaming SQL: `weir` opens the interactive shell, `weir -c 'SQL; ...'`,
// `weir -f file.sql` or `weir file.sql` run statements in batch.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"golang.org/x/term"

	"github.com/weirsql/weir"
	"github.com/weirsql/weir/connector"
	"github.com/weirsql/weir/parser"
	"github.com/weirsql/weir/repl"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `weir: streaming SQL over event streams

usage:
  weir                   open the interactive shell (statements from stdin when it is
                         not a terminal)
  weir -c 'SQL; ...'     run the statements given, in order
  weir -f query.sql      run a file of statements (also: weir query.sql); stdin stays
                         free for data (FROM stdin)

flags:
  -c SQL          statements to run
  -f FILE         file of statements to run
  --format F      table, csv, tsv, json, markdown or none (default: table on a terminal,
                  csv otherwise; from the extension of --output)
  --output FILE   write results to FILE, in the format of its extension (.csv, .tsv,
                  .json, .md, .parquet, .arrow) unless --format says
  --late FILE     write the events queries drop as late to FILE (CSV)
  --memory-limit N   stop a query whose state passes N (e.g. 256MB)
  --workers N     split windowed GROUP BY across N workers by key (default: the cores,
                  at most 8, from 4 cores on; 1 turns it off)
  --input-format F   the format FROM stdin reads: csv (default), tsv or json
  --bench W       run the benchmark workload W on one core and print events/s,
                  state and emit latency ("--bench list" names them)
  --version       print the version
  --help          print this help

examples:
  weir
  weir examples/requests_per_minute.sql
  weir -c "SELECT window_start, count(*) FROM 'requests.csv' GROUP BY TUMBLE(ts, 1m)"
  weir -c "CREATE STREAM r (time BIGINT, bytes BIGINT) WITH (connector = 'file',
           path = 'requests.tsv', format = 'tsv');
           SELECT window_start, count(*), sum(bytes) FROM r
           GROUP BY TUMBLE(to_timestamp(time), 1m)" --output per_minute.csv
  tail -f events.csv | weir -c "SELECT * FROM stdin WHERE status >= 500"
  echo "SELECT ...;" | weir --format json

exit status: 0 done, 1 a statement failed or a file could not be written, 2 usage error,
130 Ctrl-C, 143 SIGTERM, 141 the output pipe closed.
`

// Exit statuses.
const (
	exitOK        = 0
	exitError     = 1
	exitUsage     = 2
	exitInterrupt = 130
	exitPipe      = 141 // 128 + SIGPIPE, as a shell reports a command its pipe killed
	exitTerm      = 143
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// options are the command line's flags.
type options struct {
	command, file, format, output, late string
	memoryLimit, inputFormat, bench     string
	version, help                       bool
	workers                             int
	piped                               bool // the statements come from stdin
}

func parseFlags(args []string) (*options, []string, error) {
	o := &options{}
	fs := flag.NewFlagSet("weir", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.command, "c", "", "")
	fs.StringVar(&o.file, "f", "", "")
	fs.StringVar(&o.format, "format", "", "")
	fs.StringVar(&o.output, "output", "", "")
	fs.StringVar(&o.output, "o", "", "")
	fs.StringVar(&o.late, "late", "", "")
	fs.StringVar(&o.memoryLimit, "memory-limit", "", "")
	fs.IntVar(&o.workers, "workers", 0, "")
	fs.StringVar(&o.inputFormat, "input-format", "", "")
	fs.StringVar(&o.bench, "bench", "", "")
	fs.BoolVar(&o.version, "version", false, "")
	fs.BoolVar(&o.help, "help", false, "")
	fs.BoolVar(&o.help, "h", false, "")
	// Flags may come after the file too (weir q.sql --format json): parse on after each
	// argument that is not a flag.
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return o, rest, nil
		}
		rest, args = append(rest, args[0]), args[1:]
	}
}

// run is the whole command, with its streams passed in so that tests drive it.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	o, rest, err := parseFlags(args)
	if err != nil {
		fmt.Fprintf(stderr, "weir: %v\n\n%s", err, usage)
		return exitUsage
	}
	switch {
	case o.help:
		fmt.Fprint(stdout, usage)
		return exitOK
	case o.version:
		fmt.Fprintf(stdout, "weir %s\n", version)
		return exitOK
	case o.bench != "":
		return runBench(o.bench, stdout, stderr)
	}
	if len(rest) > 1 || (len(rest) == 1 && (o.file != "" || o.command != "")) ||
		(o.file != "" && o.command != "") {
		fmt.Fprintf(stderr, "weir: give one of -c, -f or a file\n\n%s", usage)
		return exitUsage
	}
	if len(rest) == 1 {
		o.file = rest[0]
	}
	shell := o.command == "" && o.file == "" && isTerminal(stdin)
	if err := o.resolveFormat(stdout, shell); err != nil {
		fmt.Fprintf(stderr, "weir: %v\n", err)
		return exitUsage
	}

	sql, name, status := o.script(stdin, shell, stderr)
	if status >= 0 {
		return status
	}
	out := stdout
	if o.output != "" && !shell {
		f, err := os.Create(o.output)
		if err != nil {
			fmt.Fprintf(stderr, "weir: %v\n", &connector.WriteError{Path: o.output, Err: err})
			return exitError
		}
		defer func() {
			if err := f.Close(); err != nil && code == exitOK {
				fmt.Fprintf(stderr, "weir: %v\n", &connector.WriteError{Path: o.output, Err: err})
				code = exitError
			}
		}()
		out = f
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dbOpts := []weir.Option{weir.WithStdin(dataInput(ctx, stdin, o, shell)),
		weir.WithStdinFormat(o.inputFormat)}
	if o.memoryLimit != "" {
		n, err := weir.ParseBytes(o.memoryLimit)
		if err != nil {
			fmt.Fprintf(stderr, "weir: --memory-limit: %v\n", err)
			return exitUsage
		}
		dbOpts = append(dbOpts, weir.WithMemoryLimit(n))
	}
	if o.workers != 0 {
		if o.workers < 0 {
			fmt.Fprintf(stderr, "weir: --workers: %d is not a number of workers\n", o.workers)
			return exitUsage
		}
		dbOpts = append(dbOpts, weir.WithWorkers(o.workers))
	}
	if !shell {
		if w := connector.TerminalProgress(); w != nil {
			dbOpts = append(dbOpts, weir.WithProgress(w))
		}
	}
	db, err := weir.Open(dbOpts...)
	if err != nil {
		fmt.Fprintf(stderr, "weir: %v\n", err)
		return exitError
	}
	defer db.Close()
	if o.late != "" {
		if err := db.Exec(context.Background(), "SET late_file = "+quoteSQL(o.late)); err != nil {
			fmt.Fprintf(stderr, "weir: %v\n", err)
			return exitUsage
		}
	}
	if shell {
		return runShell(ctx, cancel, db, o, stdout, stderr)
	}
	work := func(r *runner) int { return r.script(ctx, sql) }
	if o.piped {
		work = func(r *runner) int { return r.stream(ctx, stdin) }
	}
	return runScript(ctx, cancel, db, o, work, name, out, stderr)
}

// resolveFormat settles the output format: --format, else the extension of --output, else
// table on a terminal and csv otherwise. It checks that the result writer knows it.
func (o *options) resolveFormat(stdout io.Writer, shell bool) error {
	if o.format == "" && o.output != "" {
		f, ok := formatOfPath(o.output)
		if !ok {
			return fmt.Errorf("cannot tell the format of %s from its extension; give --format",
				o.output)
		}
		o.format = f
	}
	if o.format == "" {
		o.format = "csv"
		if shell || isTerminal(stdout) {
			o.format = "table"
		}
	}
	_, err := connector.NewRowWriter(o.format, io.Discard, arrow.NewSchema(nil, nil))
	return err
}

// formatOfPath is the output format a file's extension names.
func formatOfPath(path string) (string, bool) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return "csv", true
	case ".tsv", ".tab":
		return "tsv", true
	case ".json", ".jsonl", ".ndjson":
		return "json", true
	case ".md", ".markdown":
		return "markdown", true
	case ".parquet":
		return "parquet", true
	case ".arrow", ".arrows", ".ipc", ".feather":
		return "arrow", true
	case ".txt":
		return "table", true
	}
	return "", false
}

// script returns the statements to run and the file they came from. code is an exit status
// when there is nothing to run, and -1 otherwise.
func (o *options) script(stdin io.Reader, shell bool, stderr io.Writer) (
	sql, name string, code int) {
	switch {
	case shell:
		return "", "", -1
	case o.command != "":
		return o.command, "", -1
	case o.file != "":
		data, err := os.ReadFile(o.file)
		if err != nil {
			fmt.Fprintf(stderr, "weir: %v\n", err)
			return "", "", exitUsage
		}
		return string(data), o.file, -1
	case stdin == nil:
		fmt.Fprintf(stderr, "weir: nothing to run\n\n%s", usage)
		return "", "", exitUsage
	}
	o.piped = true // statements from a pipe or a file, run as each one is complete
	return "", "", -1
}

// dataInput is what FROM stdin reads: stdin, unless the statements came from it. In batch,
// reads end when ctx is done, so that a query waiting for input stops at Ctrl-C; the shell
// leaves stdin to the terminal's line editor.
func dataInput(ctx context.Context, stdin io.Reader, o *options, shell bool) io.Reader {
	switch {
	case stdin == nil || shell:
		return stdin
	case o.command == "" && o.file == "":
		return strings.NewReader("")
	}
	return cancelable(ctx, stdin)
}

// cancelable returns a reader of r whose reads end with ctx's error once ctx is done, even
// while a read of r blocks. Nothing is read from r before the first Read, so that a terminal
// keeps what is typed ahead when no query reads stdin.
func cancelable(ctx context.Context, r io.Reader) io.Reader {
	pr, pw := io.Pipe()
	context.AfterFunc(ctx, func() { pr.CloseWithError(ctx.Err()) })
	return &lazyPipe{r: r, pr: pr, pw: pw}
}

// lazyPipe copies r into a pipe, from the first Read on.
type lazyPipe struct {
	once sync.Once
	r    io.Reader
	pr   *io.PipeReader
	pw   *io.PipeWriter
}

func (l *lazyPipe) Read(p []byte) (int, error) {
	l.once.Do(func() {
		go func() {
			_, err := io.Copy(l.pw, l.r)
			l.pw.CloseWithError(err)
		}()
	})
	return l.pr.Read(p)
}

// isTerminal reports whether f is a terminal.
func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	return ok && file != nil && term.IsTerminal(int(file.Fd()))
}

// signals cancels ctx on SIGTERM and on SIGINT, or calls interrupt on SIGINT when it is not
// nil. status then holds the exit status the signal asks for. A closed output pipe is left
// to the writes, which fail with EPIPE instead of killing the process.
func signals(cancel context.CancelFunc, interrupt func()) (status func() int, stop func()) {
	sig := make(chan os.Signal, 4)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM, syscall.SIGPIPE)
	var code atomic.Int32
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case s := <-sig:
				switch {
				case s == syscall.SIGPIPE:
				case s == syscall.SIGTERM:
					code.Store(exitTerm)
					cancel()
				case interrupt != nil:
					interrupt()
				default:
					code.Store(exitInterrupt)
					cancel()
				}
			}
		}
	}()
	stop = func() {
		signal.Stop(sig)
		close(done)
	}
	return func() int { return int(code.Load()) }, stop
}

// runScript runs statements in batch and prints their results to out.
func runScript(ctx context.Context, cancel context.CancelFunc, db *weir.DB, o *options,
	work func(*runner) int, name string, out, stderr io.Writer) int {
	status, stop := signals(cancel, nil)
	defer stop()

	r := &runner{db: db, format: o.format, stdout: out, output: o.output, stderr: stderr,
		source: name}
	if r.output == "" {
		r.output = "stdout"
	}
	done := make(chan int, 1)
	go func() { done <- work(r) }()
	select {
	case code := <-done:
		if s := status(); s != 0 {
			return s
		}
		return code
	case <-ctx.Done(): // a signal
	}
	// Give the query a moment to stop and flush; a source blocked in a read that its
	// context cannot interrupt (a terminal, a pipe that stays open) must not keep weir up.
	select {
	case <-done:
	case <-time.After(unwindGrace):
	}
	return status()
}

// unwindGrace is how long weir waits for a cancelled query to stop before it exits anyway.
const unwindGrace = 2 * time.Second

// runShell runs the interactive shell on the terminal.
func runShell(ctx context.Context, cancel context.CancelFunc, db *weir.DB, o *options,
	stdout, stderr io.Writer) int {
	history := ""
	if home, err := os.UserHomeDir(); err == nil {
		history = filepath.Join(home, ".weir_history")
	}
	t, err := repl.NewTerminal(db, history)
	if err != nil {
		fmt.Fprintf(stderr, "weir: %v\n", err)
		return exitError
	}
	defer t.Close()
	sh := repl.New(repl.Config{DB: db, In: t, Out: stdout, Err: stderr, Mode: o.format,
		Width: t.Width})
	if o.output != "" {
		if err := sh.SetOutput(o.output); err != nil {
			fmt.Fprintf(stderr, "weir: %v\n", err)
			return exitUsage
		}
	}

	status, stop := signals(func() { cancel(); t.Close() }, sh.Interrupt)
	defer stop()
	fmt.Fprintf(stdout, "weir %s: streaming SQL. Enter .help for usage hints, .quit to leave.\n",
		version)
	err = sh.Run(ctx)
	if s := status(); s != 0 {
		return s
	}
	if err != nil {
		fmt.Fprintf(stderr, "weir: %v\n", err)
		return exitError
	}
	return exitOK
}

// runner runs a script's statements in order and prints their results.
type runner struct {
	db     *weir.DB
	format string
	stdout io.Writer
	output string // what stdout is, for errors: --output's file, or "stdout"
	stderr io.Writer
	source string // the script's file name, for error positions
}

func (r *runner) script(ctx context.Context, sql string) int {
	stmts, err := weir.Parse(sql)
	if err != nil {
		r.report(err)
		return exitError
	}
	for _, st := range stmts {
		if err := r.statement(ctx, st); err != nil {
			switch {
			case isBrokenPipe(err):
				return exitPipe // the reader has gone: stop without a word
			case ctx.Err() != nil:
				return exitInterrupt
			}
			r.report(err)
			return exitError
		}
	}
	return exitOK
}

// stream runs the statements read from in as each one is complete, so that a query starts
// while more input may follow (statements typed into a pipe, or a script whose last query
// never ends). It stops at the first failure, as script does. Error positions count the
// lines of the whole input. A shell command (.mode, .output) is refused: it needs the
// interactive shell; --format and --output do its work.
func (r *runner) stream(ctx context.Context, in io.Reader) int {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	var pending strings.Builder // the text after the last complete statement
	line, startLine := 0, 1     // lines read; the line pending begins on
	for sc.Scan() {
		line++
		text := strings.TrimSuffix(sc.Text(), "\r")
		if repl.Blank(pending.String()) && strings.HasPrefix(strings.TrimSpace(text), ".") {
			r.report(fmt.Errorf("%d:1: %s is a command of the interactive shell; in a "+
				"script use --format and --output", line, strings.Fields(text)[0]))
			return exitError
		}
		if pending.Len() == 0 {
			startLine = line
		}
		pending.WriteString(text)
		pending.WriteByte('\n')
		stmts, rest := repl.Split(pending.String())
		if len(stmts) == 0 {
			if repl.Blank(pending.String()) {
				pending.Reset()
			}
			continue
		}
		done := pending.String()
		done = done[:len(done)-len(rest)]
		// Pad each statement with the lines before it, so that its errors say where it is
		// in the input.
		at := 0
		for _, st := range stmts {
			i := strings.Index(done[at:], st) + at
			pad := startLine - 1 + strings.Count(done[:i], "\n")
			if code := r.script(ctx, strings.Repeat("\n", pad)+st); code != exitOK {
				return code
			}
			at = i + len(st)
		}
		startLine += strings.Count(done, "\n")
		pending.Reset()
		pending.WriteString(rest)
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintf(r.stderr, "weir: reading statements from stdin: %v\n", err)
		return exitError
	}
	if !repl.Blank(pending.String()) {
		return r.script(ctx, strings.Repeat("\n", startLine-1)+pending.String())
	}
	return exitOK
}

func (r *runner) report(err error) {
	var pe *parser.Error
	var we *connector.WriteError
	prefix := "error: "
	switch {
	case errors.As(err, &we):
		prefix = "weir: " // a file could not be written, which is no fault of the statement
	case r.source != "" && (errors.As(err, &pe) || startsWithPosition(err.Error())):
		prefix = r.source + ":"
	}
	fmt.Fprintf(r.stderr, "%s%v\n", prefix, err)
}

// startsWithPosition reports whether msg begins with "line:col:".
func startsWithPosition(msg string) bool {
	var line, col int
	n, _ := fmt.Sscanf(msg, "%d:%d:", &line, &col)
	return n == 2
}

func (r *runner) statement(ctx context.Context, st *parser.Statement) error {
	rows, err := r.db.Run(ctx, st)
	if err != nil || rows == nil {
		return err
	}
	defer rows.Close()
	skipped := 0
	rows.OnWarning(func(w connector.Warning) {
		if skipped++; skipped <= 10 {
			fmt.Fprintf(r.stderr, "warning: %s (row skipped)\n", w)
		}
	})
	if err := r.print(rows); err != nil {
		return &connector.WriteError{Path: r.output, Err: err}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if err := rows.Close(); err != nil {
		return err // a late file that could not be written
	}
	r.summary(st, rows.Stats())
	return nil
}

// print writes a result's rows to the output as they come. It returns at the first write
// that fails; closing the rows then stops the query.
func (r *runner) print(rows *weir.Rows) error {
	w, err := connector.NewRowWriter(r.format, r.stdout, rows.Schema())
	if err != nil {
		return err
	}
	for rows.Next() {
		if err := w.WriteBatch(rows.Batch()); err != nil {
			return err
		}
		if err := w.Flush(); err != nil {
			return err
		}
	}
	return w.Close()
}

// summary prints the query's late and skipped counts on stderr, when there are any.
func (r *runner) summary(st *parser.Statement, s weir.Stats) {
	if sum := repl.Summary(s); st.Query != nil && sum != "" {
		fmt.Fprintf(r.stderr, "weir: %s\n", sum)
	}
}

// isBrokenPipe reports whether err is a write to a pipe whose reader has gone.
func isBrokenPipe(err error) bool {
	return errors.Is(err, syscall.EPIPE) || errors.Is(err, io.ErrClosedPipe)
}

// quoteSQL writes s as a SQL string literal.
func quoteSQL(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
