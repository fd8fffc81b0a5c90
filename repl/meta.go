package repl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/weirsql/weir/connector"
	"github.com/weirsql/weir/functions"
	"github.com/weirsql/weir/parser"
	"github.com/weirsql/weir/planner"
)

// metaCommand is one of the shell's own commands, typed on a line of its own.
type metaCommand struct {
	names []string // the first is shown in .help; the others are aliases
	args  string
	help  string
	run   func(s *Shell, ctx context.Context, args []string) (quit bool, err error)
}

// metaCommands lists the commands in the order .help shows them (set in init, since .help
// reads it).
var metaCommands []metaCommand

func init() {
	metaCommands = []metaCommand{
		{[]string{".help", `\?`}, "", "show this help", (*Shell).help},
		{[]string{".streams", ".tables", `\d`, `\dt`}, "",
			`list the streams and their columns (\d NAME describes one)`, (*Shell).streams},
		{[]string{".schema"}, "[NAME]", "show the CREATE STREAM statement of a stream or all",
			(*Shell).schema},
		{[]string{".functions", `\df`}, "[PATTERN]", "list the functions, or those matching",
			(*Shell).functions},
		{[]string{".mode"}, "[MODE]",
			"set the output mode: table, line, csv, tsv, json, markdown or none",
			(*Shell).setMode},
		{[]string{".timer", `\timing`}, "on|off", "show how long each statement takes",
			(*Shell).setTimer},
		{[]string{".output", `\o`}, "[FILE]",
			"write results to FILE, or back to the screen without one", (*Shell).setOutput},
		{[]string{".read", `\i`}, "FILE", "run the statements and commands of FILE",
			(*Shell).read},
		{[]string{".stats"}, "",
			"events read, late and skipped, open windows, state of the running or last query",
			(*Shell).showStats},
		{[]string{".chart"}, "COLUMN|off",
			"plot COLUMN over window_start as windows fire, instead of printing rows",
			(*Shell).setChart},
		{[]string{".quit", ".exit", `\q`}, "", "leave the shell (also Ctrl-D)",
			func(*Shell, context.Context, []string) (bool, error) { return true, nil }},
	}
}

// metaNames lists every meta-command name, for completion.
func metaNames() []string {
	var out []string
	for _, c := range metaCommands {
		out = append(out, c.names...)
	}
	return out
}

// isMeta reports whether line is a meta-command: it starts with a dot or a backslash.
func isMeta(line string) bool {
	t := strings.TrimSpace(line)
	return strings.HasPrefix(t, ".") || strings.HasPrefix(t, `\`)
}

// meta runs a meta-command line; it reports whether the shell should quit.
func (s *Shell) meta(ctx context.Context, line string) bool {
	args, err := splitArgs(strings.TrimSpace(line))
	if err != nil {
		fmt.Fprintf(s.errw, "Error: %v\n", err)
		return false
	}
	name := strings.ToLower(args[0])
	for _, c := range metaCommands {
		for _, n := range c.names {
			if n != name {
				continue
			}
			quit, err := c.run(s, ctx, args[1:])
			if err != nil {
				fmt.Fprintf(s.errw, "Error: %v\n", err)
			}
			return quit
		}
	}
	var known []string
	for _, c := range metaCommands {
		known = append(known, c.names[0])
	}
	fmt.Fprintf(s.errw, "Error: unknown command %s; the commands are %s (.help explains them)\n",
		args[0], strings.Join(known, " "))
	return false
}

// splitArgs splits a meta-command line into words; '...' and "..." quote a word with
// spaces. A semicolon ending the line is dropped, as psql users type one.
func splitArgs(line string) ([]string, error) {
	line = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(line), ";"))
	var args []string
	for line != "" {
		var word string
		if q := line[0]; q == '\'' || q == '"' {
			end := strings.IndexByte(line[1:], q)
			if end < 0 {
				return nil, fmt.Errorf("unterminated quote in %s", line)
			}
			word, line = line[1:end+1], line[end+2:]
		} else {
			end := strings.IndexAny(line, " \t")
			if end < 0 {
				end = len(line)
			}
			word, line = line[:end], line[end:]
		}
		args = append(args, word)
		line = strings.TrimLeft(line, " \t")
	}
	return args, nil
}

// want checks the number of arguments a command got.
func want(args []string, least, most int, usage string) error {
	if len(args) < least || len(args) > most {
		return fmt.Errorf("usage: %s", usage)
	}
	return nil
}

func (s *Shell) help(_ context.Context, args []string) (bool, error) {
	var b strings.Builder
	for _, c := range metaCommands {
		name := c.names[0]
		if c.args != "" {
			name += " " + c.args
		}
		fmt.Fprintf(&b, "%-22s %s\n", name, c.help)
	}
	b.WriteString(`
Statements end with ";" and may span lines. A running query prints its rows as windows
fire; Ctrl-C cancels it and Ctrl-D leaves. psql's \d, \d NAME, \o, \i, \timing and \q work
too. Tab completes keywords and names; Ctrl-R searches the history.
`)
	_, err := io.WriteString(s.screen, b.String())
	return false, err
}

func (s *Shell) streams(_ context.Context, args []string) (bool, error) {
	if len(args) > 0 {
		return false, s.describe(args)
	}
	var rows [][]string
	for _, st := range s.allStreams() {
		var cols []string
		for _, c := range st.Columns {
			cols = append(cols, c.Name+" "+functions.TypeName(c.Type))
		}
		rows = append(rows, []string{st.Name, clip(strings.Join(cols, ", "), 60), source(st)})
	}
	return false, printGrid(s.screen, []string{"name", "columns", "source"}, nil, rows)
}

// clip cuts s to n characters, ending it with an ellipsis when it was longer.
func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// allStreams lists the catalog's streams, then the built-in ones.
func (s *Shell) allStreams() []*planner.Stream {
	return append(s.db.Catalog().Streams(), planner.BuiltinStreams()...)
}

// source says where a stream's events come from.
func source(st *planner.Stream) string {
	switch c := st.Options["connector"]; c {
	case "":
		return "pushed by the program"
	case "file":
		return st.Options["path"]
	case "nexmark":
		return "nexmark generator, table " + st.Options["table"]
	default:
		return c
	}
}

// describe prints a stream's columns, as psql's \d NAME does.
func (s *Shell) describe(args []string) error {
	if err := want(args, 1, 1, `\d NAME`); err != nil {
		return err
	}
	st, err := s.lookup(args[0])
	if err != nil {
		return err
	}
	var rows [][]string
	for _, c := range st.Columns {
		comp := ""
		if c.Computed != nil {
			comp = c.Computed.String()
		}
		wm := ""
		if strings.EqualFold(c.Name, st.WatermarkColumn) {
			wm = watermarkText(st)
		}
		rows = append(rows, []string{c.Name, functions.TypeName(c.Type), comp, wm})
	}
	fmt.Fprintf(s.screen, "Stream %s (%s)\n", st.Name, source(st))
	return printGrid(s.screen, []string{"column", "type", "computed", "watermark"}, nil, rows)
}

// lookup finds a stream by the name the user typed.
func (s *Shell) lookup(name string) (*planner.Stream, error) {
	ident := parser.Ident{Name: name}
	if len(name) > 1 && name[0] == '"' && name[len(name)-1] == '"' {
		ident = parser.Ident{Name: name[1 : len(name)-1], Quoted: true}
	}
	if st, ok := s.db.Catalog().Lookup(ident); ok {
		return st, nil
	}
	var names []string
	for _, st := range s.allStreams() {
		if strings.EqualFold(st.Name, name) {
			return st, nil
		}
		names = append(names, st.Name)
	}
	return nil, fmt.Errorf("unknown stream %q (the streams are %s)", name,
		strings.Join(names, ", "))
}

// watermarkText is the WATERMARK expression of a stream.
func watermarkText(st *planner.Stream) string {
	if st.WatermarkColumn == "" {
		return ""
	}
	if st.Delay == 0 {
		return st.WatermarkColumn
	}
	return st.WatermarkColumn + " - " + intervalText(st.Delay)
}

// intervalText writes a number of microseconds as an interval literal.
func intervalText(us int64) string {
	switch {
	case us%1_000_000 == 0:
		return fmt.Sprintf("INTERVAL '%d' SECOND", us/1_000_000)
	case us%1_000 == 0:
		return fmt.Sprintf("%dms", us/1_000)
	}
	return fmt.Sprintf("%dus", us)
}

func (s *Shell) schema(_ context.Context, args []string) (bool, error) {
	if err := want(args, 0, 1, ".schema [NAME]"); err != nil {
		return false, err
	}
	streams := s.allStreams()
	if len(args) == 1 {
		st, err := s.lookup(args[0])
		if err != nil {
			return false, err
		}
		streams = []*planner.Stream{st}
	}
	for _, st := range streams {
		if _, err := io.WriteString(s.screen, createText(st)); err != nil {
			return false, err
		}
	}
	return false, nil
}

// createText writes a CREATE STREAM statement that declares st.
func createText(st *planner.Stream) string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE STREAM %s (\n", st.Name)
	var elems []string
	for _, c := range st.Columns {
		if c.Computed != nil {
			elems = append(elems, fmt.Sprintf("  %s AS %s", c.Name, c.Computed.String()))
		} else {
			elems = append(elems, fmt.Sprintf("  %s %s", c.Name, functions.TypeName(c.Type)))
		}
	}
	if st.WatermarkColumn != "" {
		elems = append(elems, fmt.Sprintf("  WATERMARK FOR %s AS %s", st.WatermarkColumn,
			watermarkText(st)))
	}
	b.WriteString(strings.Join(elems, ",\n"))
	b.WriteString("\n)")
	if len(st.Options) > 0 {
		keys := make([]string, 0, len(st.Options))
		for k := range st.Options {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { // connector first, then by name
			if ci, cj := keys[i] == "connector", keys[j] == "connector"; ci != cj {
				return ci
			}
			return keys[i] < keys[j]
		})
		var opts []string
		for _, k := range keys {
			opts = append(opts, fmt.Sprintf("%s = %s", k, optionText(st.Options[k])))
		}
		fmt.Fprintf(&b, " WITH (%s)", strings.Join(opts, ", "))
	}
	b.WriteString(";\n")
	return b.String()
}

// optionText writes an option's value: numbers and booleans bare, others quoted.
func optionText(v string) string {
	if _, err := strconv.ParseFloat(v, 64); err == nil {
		return v
	}
	if strings.EqualFold(v, "true") || strings.EqualFold(v, "false") {
		return strings.ToLower(v)
	}
	return "'" + strings.ReplaceAll(v, "'", "''") + "'"
}

func (s *Shell) functions(_ context.Context, args []string) (bool, error) {
	if err := want(args, 0, 1, ".functions [PATTERN]"); err != nil {
		return false, err
	}
	var rows [][]string
	for _, e := range s.db.Registry().Entries() {
		if len(args) == 1 && !strings.Contains(strings.ToLower(e.Name+" "+e.Summary),
			strings.ToLower(args[0])) {
			continue
		}
		rows = append(rows, []string{e.Name, e.Kind, e.Args, e.Summary})
	}
	names := []string{"name", "kind", "signature", "summary"}
	return false, printGrid(s.screen, names, nil, rows)
}

// modes are the output modes .mode accepts: the shell's own table and line, and the
// formats of connector.NewRowWriter.
func modes() []string {
	out := []string{"table", "line"}
	for _, f := range connector.RowWriterFormats() {
		if f != "table" {
			out = append(out, f)
		}
	}
	return out
}

func (s *Shell) setMode(_ context.Context, args []string) (bool, error) {
	if err := want(args, 0, 1, ".mode "+strings.Join(modes(), "|")); err != nil {
		return false, err
	}
	if len(args) == 0 {
		_, err := fmt.Fprintf(s.screen, "%s\n", s.mode)
		return false, err
	}
	m := strings.ToLower(args[0])
	for _, known := range modes() {
		if m == known {
			s.mode = m
			return false, nil
		}
	}
	return false, fmt.Errorf("unknown mode %q (the modes are %s)", args[0],
		strings.Join(modes(), ", "))
}

func (s *Shell) setTimer(_ context.Context, args []string) (bool, error) {
	if err := want(args, 0, 1, ".timer on|off"); err != nil {
		return false, err
	}
	if len(args) == 0 { // \timing toggles, as in psql
		s.timer = !s.timer
		return false, nil
	}
	on, err := onOff(args[0])
	if err != nil {
		return false, err
	}
	s.timer = on
	return false, nil
}

// onOff reads on/off, true/false, yes/no or 1/0.
func onOff(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "on", "true", "yes", "1":
		return true, nil
	case "off", "false", "no", "0":
		return false, nil
	}
	return false, fmt.Errorf("expected on or off, got %q", v)
}

func (s *Shell) setOutput(_ context.Context, args []string) (bool, error) {
	if err := want(args, 0, 1, ".output [FILE]"); err != nil {
		return false, err
	}
	if len(args) == 1 && args[0] != "stdout" {
		f, err := os.Create(args[0])
		if err != nil {
			return false, err
		}
		if err := s.closeOutput(); err != nil {
			fmt.Fprintf(s.errw, "Error: %v\n", err)
		}
		s.file, s.out = f, f
		return false, nil
	}
	return false, s.closeOutput()
}

// closeOutput closes the .output file, if any, and sends results back to the screen.
func (s *Shell) closeOutput() error {
	s.out = s.screen
	if s.file == nil {
		return nil
	}
	err := s.file.Close()
	s.file = nil
	return err
}

func (s *Shell) read(ctx context.Context, args []string) (bool, error) {
	if err := want(args, 1, 1, ".read FILE"); err != nil {
		return false, err
	}
	if s.depth >= maxReadDepth {
		return false, fmt.Errorf(".read: files nested more than %d deep", maxReadDepth)
	}
	f, err := os.Open(args[0])
	if err != nil {
		return false, err
	}
	defer f.Close()
	s.depth++
	defer func() { s.depth-- }()
	// .quit inside the file ends the file, not the session; an interrupted wait ends both.
	quit, err := s.loop(ctx, NewScript(f))
	if err != nil && !errors.Is(err, context.Canceled) {
		return quit, err
	}
	return ctx.Err() != nil, nil
}

func (s *Shell) showStats(_ context.Context, args []string) (bool, error) {
	if err := want(args, 0, 0, ".stats"); err != nil {
		return false, err
	}
	s.mu.Lock()
	q := s.stats
	var qs queryStats
	if q != nil {
		qs = *q
	}
	s.mu.Unlock()
	if q == nil {
		_, err := fmt.Fprintln(s.screen, "No query has run yet.")
		return false, err
	}
	st := qs.stats
	rows := [][]string{
		{"events read", strconv.FormatInt(st.EventsRead, 10)},
		{"events skipped (malformed)", strconv.FormatInt(st.EventsSkipped, 10)},
		{"late events dropped", strconv.FormatInt(st.LateDropped, 10)},
		{"late for some windows", strconv.FormatInt(st.LatePartial, 10)},
		{"windows fired", strconv.FormatInt(st.WindowsFired, 10)},
		{"open windows", strconv.FormatInt(st.OpenWindows, 10)},
		{"state memory", byteSize(st.StateBytes)},
		{"rows emitted", strconv.FormatInt(st.RowsEmitted, 10)},
	}
	took := qs.took
	fmt.Fprintf(s.screen, "Query %s after %.3fs: %s\n", qs.state, took.Seconds(),
		firstLine(qs.sql))
	return false, printGrid(s.screen, []string{"counter", "value"}, []bool{false, true}, rows)
}

// firstLine is the first line of sql, cut short when long.
func firstLine(sql string) string {
	line, _, more := strings.Cut(strings.TrimSpace(sql), "\n")
	if more {
		return clip(line, 60) + " …"
	}
	return clip(line, 60)
}

// byteSize writes a number of bytes in binary units.
func byteSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

func (s *Shell) setChart(_ context.Context, args []string) (bool, error) {
	if err := want(args, 0, 1, ".chart COLUMN|off"); err != nil {
		return false, err
	}
	if len(args) == 0 {
		msg := "off"
		if s.chart != "" {
			msg = s.chart
		}
		_, err := fmt.Fprintln(s.screen, msg)
		return false, err
	}
	if strings.EqualFold(args[0], "off") {
		s.chart = ""
		return false, nil
	}
	s.chart = args[0]
	return false, nil
}
