package weir

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/weirsql/weir/connector"
)

var updateScripts = flag.Bool("update", false, "rewrite the expected output of script tests")

// TestScripts runs the script tests of testdata/script; testdata/script/README.md describes
// their format.
func TestScripts(t *testing.T) {
	files, err := filepath.Glob("testdata/script/*.test")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".test"), func(t *testing.T) {
			runScript(t, f, 1)
		})
	}
}

// TestScriptsOnWorkers runs the script tests again with windowed aggregates split across 3
// workers: the expected output is the same.
func TestScriptsOnWorkers(t *testing.T) {
	if *updateScripts {
		t.Skip("the expected output is written by TestScripts")
	}
	files, err := filepath.Glob("testdata/script/*.test")
	require.NoError(t, err)
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".test"), func(t *testing.T) {
			runScript(t, f, 3)
		})
	}
}

// directive is one block of a script: a command line, its body, and the expected output.
type directive struct {
	line     int
	cmd      string
	args     []string
	body     []string
	expected []string
}

func parseScript(t *testing.T, path string) []directive {
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var out []directive
	var cur *directive
	inExpected := false
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur == nil && (strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#")):
		case cur == nil:
			fields := strings.Fields(line)
			cur = &directive{line: n, cmd: fields[0], args: fields[1:]}
			inExpected = false
		case line == "----":
			inExpected = true
		case strings.TrimSpace(line) == "" && inExpected:
			out = append(out, *cur)
			cur = nil
		case inExpected:
			cur.expected = append(cur.expected, line)
		default:
			cur.body = append(cur.body, line)
		}
	}
	require.NoError(t, sc.Err())
	if cur != nil {
		out = append(out, *cur)
	}
	return out
}

// scriptRun is one script's engine, query and fake clock.
type scriptRun struct {
	t     *testing.T
	db    *DB
	mem   *memory.CheckedAllocator
	clock time.Time

	mu      sync.Mutex
	rows    *Rows
	out     []string
	done    chan struct{}
	waiting chan struct{}
	err     error
	apps    map[string]*Appender
	order   []string
}

func runScript(t *testing.T, path string, workers int) {
	r := &scriptRun{t: t, mem: memory.NewCheckedAllocator(memory.NewGoAllocator()),
		clock: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), apps: map[string]*Appender{},
		waiting: make(chan struct{}, 1)}
	db, err := Open(WithAllocator(r.mem), WithWorkers(workers))
	require.NoError(t, err)
	db.now = func() time.Time {
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.clock
	}
	db.onWait = func() {
		select {
		case r.waiting <- struct{}{}:
		default:
		}
	}
	r.db = db
	dirs := parseScript(t, path)
	tmp := t.TempDir()
	for i := range dirs {
		for j, l := range dirs[i].body {
			dirs[i].body[j] = strings.ReplaceAll(l, "$TMP", tmp)
		}
		for j, a := range dirs[i].args {
			dirs[i].args[j] = strings.ReplaceAll(a, "$TMP", tmp)
		}
	}
	var rewritten []directive
	for _, d := range dirs {
		got := r.do(d)
		if *updateScripts {
			d.expected = got
			rewritten = append(rewritten, d)
			continue
		}
		require.Equal(t, d.expected, got, "%s:%d: %s %s", path, d.line, d.cmd,
			strings.Join(d.args, " "))
	}
	r.finish()
	if *updateScripts {
		writeScript(t, path, rewritten)
	}
	r.mem.AssertSize(t, 0)
}

// do runs one directive and returns what it printed.
func (r *scriptRun) do(d directive) []string {
	ctx := context.Background()
	sql := strings.Join(d.body, "\n")
	switch d.cmd {
	case "exec":
		if err := r.db.Exec(ctx, sql); err != nil {
			return []string{"error: " + err.Error()}
		}
		return nil
	case "query":
		rows, err := r.db.Query(ctx, sql)
		if err != nil {
			return []string{"error: " + err.Error()}
		}
		r.rows = rows
		r.done = make(chan struct{})
		go r.drain()
		select { // the query is running and waits for events
		case <-r.waiting:
		case <-time.After(10 * time.Second):
			r.t.Fatal("the query did not start within 10 s")
		}
		var names []string
		for _, f := range rows.Schema().Fields() {
			names = append(names, f.Name)
		}
		return []string{strings.Join(names, ",")}
	case "push":
		part := r.partition(d.args)
		if _, ok := r.apps[part]; !ok {
			// Opening a partition reaches the query too: let it settle first.
			require.Empty(r.t, r.settle(func() { r.appender(part) }))
		}
		a := r.appender(part)
		for _, line := range d.body {
			vals := splitValues(line)
			row := make([]any, len(vals))
			for i, v := range vals {
				row[i] = r.value(a, i, v)
			}
			require.NoError(r.t, a.AppendRow(row...), "push %q", line)
		}
		return r.settle(func() { require.NoError(r.t, a.Flush()) })
	case "advance":
		require.Len(r.t, d.args, 1, "advance DURATION")
		dur, err := time.ParseDuration(d.args[0])
		require.NoError(r.t, err)
		r.mu.Lock()
		r.clock = r.clock.Add(dur)
		r.mu.Unlock()
		return r.settle(r.tick)
	case "close":
		part := r.partition(d.args)
		return r.settle(func() { require.NoError(r.t, r.appender(part).Close()) })
	case "end":
		for _, name := range r.order {
			require.NoError(r.t, r.apps[name].Close())
		}
		<-r.done
		return r.take()
	case "stats":
		<-r.done
		s := r.rows.Stats()
		return []string{fmt.Sprintf("late_dropped=%d late_partial=%d windows_fired=%d "+
			"open_windows=%d", s.LateDropped, s.LatePartial, s.WindowsFired, s.OpenWindows)}
	case "file":
		data, err := os.ReadFile(d.args[0])
		if err != nil {
			return []string{"error: " + err.Error()}
		}
		return strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	}
	r.t.Fatalf("unknown directive %q at line %d", d.cmd, d.line)
	return nil
}

// tick makes the query look at the clock.
func (r *scriptRun) tick() {
	for _, st := range r.db.catalog.Streams() {
		if st.Hub != nil {
			st.Hub.Tick()
		}
	}
}

func (r *scriptRun) partition(args []string) string {
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, "partition="); ok {
			return v
		}
	}
	return "default"
}

func (r *scriptRun) appender(name string) *Appender {
	if a, ok := r.apps[name]; ok {
		return a
	}
	streams := r.db.catalog.Streams()
	var target string
	for _, st := range streams {
		if st.Hub != nil {
			require.Empty(r.t, target, "scripts feed one stream")
			target = st.Name
		}
	}
	a, err := r.db.Appender(target)
	require.NoError(r.t, err)
	r.apps[name] = a
	r.order = append(r.order, name)
	return a
}

// value converts a script value to what AppendRow takes for column i.
func (r *scriptRun) value(a *Appender, i int, v string) any {
	if v == "NULL" {
		return nil
	}
	f := a.schema.Field(i)
	switch f.Type.ID().String() {
	case "INT64":
		var n int64
		_, err := fmt.Sscan(v, &n)
		require.NoError(r.t, err, "column %s: %q", f.Name, v)
		return n
	case "FLOAT64":
		var x float64
		_, err := fmt.Sscan(v, &x)
		require.NoError(r.t, err, "column %s: %q", f.Name, v)
		return x
	case "BOOL":
		return v == "true"
	}
	return v
}

// settle runs act, which hands events or a tick to the query, waits until the query has taken
// all of it and waits for more, and returns the rows it emitted meanwhile.
func (r *scriptRun) settle(act func()) []string {
	select {
	case <-r.waiting:
	default:
	}
	act()
	select {
	case <-r.waiting:
	case <-r.done:
	case <-time.After(10 * time.Second):
		r.t.Fatal("the query did not take the events within 10 s")
	}
	return r.take()
}

func (r *scriptRun) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.out
	r.out = nil
	if r.err != nil {
		out = append(out, "error: "+r.err.Error())
		r.err = nil
	}
	return out
}

func (r *scriptRun) drain() {
	defer close(r.done)
	for r.rows.Next() {
		b := r.rows.Batch()
		var lines []string
		for i := 0; i < int(b.NumRows()); i++ {
			cells := make([]string, b.NumCols())
			for c := range cells {
				v, ok := connector.FormatValue(b.Column(c), i)
				if !ok {
					v = "NULL"
				}
				cells[c] = v
			}
			lines = append(lines, strings.Join(cells, ","))
		}
		r.mu.Lock()
		r.out = append(r.out, lines...)
		r.mu.Unlock()
	}
	r.mu.Lock()
	r.err = r.rows.Err()
	r.mu.Unlock()
}

func (r *scriptRun) finish() {
	for _, name := range r.order {
		_ = r.apps[name].Close()
	}
	if r.rows != nil {
		select {
		case <-r.done:
		case <-time.After(10 * time.Second):
			r.t.Fatal("the query did not end after its input closed")
		}
		require.NoError(r.t, r.rows.Close())
		if err := r.rows.Err(); err != nil && !errors.Is(err, context.Canceled) {
			r.t.Errorf("query ended with %v", err)
		}
	}
}

// splitValues splits a row written as comma-separated values; spaces around them are trimmed.
func splitValues(line string) []string {
	parts := strings.Split(line, ",")
	for i, p := range parts {
		parts[i] = strings.TrimSpace(p)
	}
	return parts
}

func writeScript(t *testing.T, path string, dirs []directive) {
	var b strings.Builder
	for _, d := range dirs {
		b.WriteString(strings.TrimSpace(d.cmd+" "+strings.Join(d.args, " ")) + "\n")
		for _, l := range d.body {
			b.WriteString(l + "\n")
		}
		b.WriteString("----\n")
		for _, l := range d.expected {
			b.WriteString(l + "\n")
		}
		b.WriteString("\n")
	}
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
}
