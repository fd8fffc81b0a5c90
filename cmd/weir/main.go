// Command weir runs streaming SQL: `weir -c 'SQL; ...'`, `weir -f file.sql` or `weir file.sql`.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/apache/arrow-go/v18/arrow"
	"golang.org/x/term"

	"github.com/weirsql/weir"
	"github.com/weirsql/weir/connector"
	"github.com/weirsql/weir/parser"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `weir: streaming SQL over event streams

usage:
  weir -c 'SQL; ...'     run the statements given, in order
  weir -f query.sql      run a file of statements (also: weir query.sql)

flags:
  -c SQL          statements to run
  -f FILE         file of statements to run
  --format F      table, csv, tsv, json, markdown or none (default: table on a terminal,
                  csv otherwise)
  --late FILE     write the events queries drop as late to FILE (CSV)
  --version       print the version
  --help          print this help

examples:
  weir examples/nasa_per_minute.sql
  weir -c "CREATE STREAM r (time BIGINT, bytes BIGINT) WITH (connector = 'file',
           path = 'requests.tsv', format = 'tsv');
           SELECT window_start, count(*), sum(bytes) FROM r
           GROUP BY TUMBLE(to_timestamp(time), 1m)"
`

// Exit statuses.
const (
	exitOK        = 0
	exitError     = 1
	exitUsage     = 2
	exitInterrupt = 130
	exitTerm      = 143
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is the whole command, with its streams passed in so that tests drive it.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("weir", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	command := fs.String("c", "", "")
	file := fs.String("f", "", "")
	format := fs.String("format", "", "")
	late := fs.String("late", "", "")
	showVersion := fs.Bool("version", false, "")
	help := fs.Bool("help", false, "")
	fs.BoolVar(help, "h", false, "")
	if err := fs.Parse(args); err != nil {
		fmt.Fprintf(stderr, "weir: %v\n\n%s", err, usage)
		return exitUsage
	}
	switch {
	case *help:
		fmt.Fprint(stdout, usage)
		return exitOK
	case *showVersion:
		fmt.Fprintf(stdout, "weir %s\n", version)
		return exitOK
	}
	if fs.NArg() > 1 || (fs.NArg() == 1 && (*file != "" || *command != "")) ||
		(*file != "" && *command != "") {
		fmt.Fprintf(stderr, "weir: give one of -c, -f or a file\n\n%s", usage)
		return exitUsage
	}
	if fs.NArg() == 1 {
		*file = fs.Arg(0)
	}
	sql, name := *command, ""
	if *file != "" {
		data, err := os.ReadFile(*file)
		if err != nil {
			fmt.Fprintf(stderr, "weir: %v\n", err)
			return exitUsage
		}
		sql, name = string(data), *file
	}
	if sql == "" {
		fmt.Fprintf(stderr, "weir: nothing to run (the interactive shell comes later)\n\n%s",
			usage)
		return exitUsage
	}
	if *format == "" {
		*format = "csv"
		if f, ok := stdout.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			*format = "table"
		}
	}
	if _, err := connector.NewRowWriter(*format, io.Discard, arrow.NewSchema(nil, nil)); err != nil {
		fmt.Fprintf(stderr, "weir: %v\n", err)
		return exitUsage
	}

	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	status := make(chan int, 1)
	go func() {
		s, ok := <-sig
		if !ok {
			return
		}
		if s == syscall.SIGTERM {
			status <- exitTerm
		} else {
			status <- exitInterrupt
		}
		stop()
	}()

	db, err := weir.Open(weir.WithStdin(stdin))
	if err != nil {
		fmt.Fprintf(stderr, "weir: %v\n", err)
		return exitError
	}
	defer db.Close()
	if *late != "" {
		if err := db.Exec(ctx, "SET late_file = "+quoteSQL(*late)); err != nil {
			fmt.Fprintf(stderr, "weir: %v\n", err)
			return exitUsage
		}
	}
	r := &runner{db: db, format: *format, stdout: stdout, stderr: stderr, source: name}
	code := r.script(ctx, sql)
	select {
	case s := <-status:
		return s
	default:
		return code
	}
}

// runner runs a script's statements in order and prints their results.
type runner struct {
	db     *weir.DB
	format string
	stdout io.Writer
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
			if ctx.Err() != nil {
				return exitInterrupt
			}
			r.report(err)
			return exitError
		}
	}
	return exitOK
}

func (r *runner) report(err error) {
	var pe *parser.Error
	prefix := "error: "
	if r.source != "" && (errors.As(err, &pe) || startsWithPosition(err.Error())) {
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
	if err := w.Close(); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return err
	}
	r.summary(st, rows.Stats())
	return nil
}

// summary prints the query's late and skipped counts on stderr, when there are any.
func (r *runner) summary(st *parser.Statement, s weir.Stats) {
	if st.Query == nil {
		return
	}
	var parts []string
	if s.LateDropped > 0 {
		parts = append(parts, plural(s.LateDropped, "late event")+" dropped")
	}
	if s.LatePartial > 0 {
		parts = append(parts, plural(s.LatePartial, "event")+" late for some of their windows")
	}
	if s.EventsSkipped > 0 {
		parts = append(parts, plural(s.EventsSkipped, "malformed row")+" skipped")
	}
	if len(parts) > 0 {
		fmt.Fprintf(r.stderr, "weir: %s (%s read)\n", strings.Join(parts, ", "),
			plural(s.EventsRead, "event"))
	}
}

func plural(n int64, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// quoteSQL writes s as a SQL string literal.
func quoteSQL(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
