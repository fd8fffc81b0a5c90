package repl

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/weirsql/weir"
)

// requests is a small stream: three minutes of one day, a NULL, and a row of the next day.
const requests = `ts,host,bytes
2024-03-01T00:00:10Z,a,100
2024-03-01T00:00:20Z,b,
2024-03-01T00:00:50Z,a,20
2024-03-01T00:01:05Z,a,50
2024-03-01T00:02:00Z,b,7
`

// session runs the shell over lines with a stream r of requests declared, and returns what
// it printed on its two outputs.
type session struct {
	t      *testing.T
	dir    string
	db     *weir.DB
	script *Script
	shell  *Shell
	out    syncBuffer
	errs   syncBuffer
}

func newSession(t *testing.T) *session {
	dir := t.TempDir()
	path := filepath.Join(dir, "requests.csv")
	require.NoError(t, os.WriteFile(path, []byte(requests), 0o644))
	db, err := weir.Open()
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	require.NoError(t, db.Exec(context.Background(), "CREATE STREAM r (ts TIMESTAMP, "+
		"host VARCHAR, bytes BIGINT) WITH (connector = 'file', path = '"+path+"')"))
	return &session{t: t, dir: dir, db: db}
}

// run types lines into a new shell and waits for it to end.
func (s *session) run(lines ...string) (out, errs string) {
	s.out.Reset()
	s.errs.Reset()
	s.script = NewScript(strings.NewReader(strings.Join(lines, "\n") + "\n"))
	s.shell = New(Config{DB: s.db, In: s.script, Out: &s.out, Err: &s.errs})
	require.NoError(s.t, s.shell.Run(context.Background()))
	return s.out.String(), s.errs.String()
}

const perMinute = "SELECT window_start, host, count(*) AS n, sum(bytes) AS bytes " +
	"FROM r GROUP BY host, TUMBLE(ts, 1m);"

func TestPromptsContinueUntilSemicolon(t *testing.T) {
	s := newSession(t)
	out, errs := s.run("SELECT host,", "  bytes", "FROM r", "WHERE host = 'a;b'", ";", "")
	require.Empty(t, errs)
	require.Equal(t, []string{Prompt, Continue, Continue, Continue, Continue, Prompt, Prompt},
		s.script.Prompts)
	require.Contains(t, out, "(0 rows)")
}

func TestTableOutput(t *testing.T) {
	s := newSession(t)
	out, errs := s.run(perMinute)
	require.Empty(t, errs)
	require.Equal(t, `┌─ 2024-03-01 ─┬──────┬──────────┬──────────┐
│ window_start │ host │    n     │  bytes   │
├──────────────┼──────┼──────────┼──────────┤
│ 00:00:00     │ a    │        2 │      120 │
│ 00:00:00     │ b    │        1 │     NULL │
│ 00:01:00     │ a    │        1 │       50 │
│ 00:02:00     │ b    │        1 │        7 │
└──────────────┴──────┴──────────┴──────────┘
(4 rows)
`, out)
}

func TestOutputModes(t *testing.T) {
	s := newSession(t)
	query := "SELECT window_start, host, count(*) AS n, sum(bytes) AS bytes FROM r " +
		"WHERE ts < '2024-03-01 00:01:00' GROUP BY host, TUMBLE(ts, 1m);"
	tests := []struct {
		mode, want string
	}{
		{"csv", "window_start,host,n,bytes\n2024-03-01T00:00:00Z,a,2,120\n" +
			"2024-03-01T00:00:00Z,b,1,\n"},
		{"json", `{"window_start":"2024-03-01T00:00:00Z","host":"a","n":2,"bytes":120}` +
			"\n" + `{"window_start":"2024-03-01T00:00:00Z","host":"b","n":1,"bytes":null}` +
			"\n"},
		{"markdown", "| window_start         | host |        n |    bytes |\n" +
			"|----------------------|------|---------:|---------:|\n" +
			"| 2024-03-01T00:00:00Z | a    |        2 |      120 |\n" +
			"| 2024-03-01T00:00:00Z | b    |        1 |     NULL |\n"},
		{"line", "window_start = 2024-03-01T00:00:00Z\n        host = a\n" +
			"           n = 2\n       bytes = 120\n\n" +
			"window_start = 2024-03-01T00:00:00Z\n        host = b\n" +
			"           n = 1\n       bytes = NULL\n"},
		{"none", ""},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			out, errs := s.run(".mode "+tt.mode, query)
			require.Empty(t, errs)
			require.Equal(t, tt.want, out)
		})
	}

	out, errs := s.run(".mode", ".mode xml", ".mode")
	require.Equal(t, "table\ntable\n", out)
	require.Contains(t, errs, `unknown mode "xml"`)
}

// TestSelectWithoutFrom prints the one row of a SELECT without FROM as a table.
func TestSelectWithoutFrom(t *testing.T) {
	s := newSession(t)
	out, errs := s.run("SELECT 1 + 2 AS x, 'a' || 'b' AS s;", "SELECT 1 AS one WHERE false;")
	require.Empty(t, errs)
	require.Equal(t, `┌──────────┬────┐
│    x     │ s  │
├──────────┼────┤
│        3 │ ab │
└──────────┴────┘
(1 row)
┌──────────┐
│   one    │
├──────────┤
└──────────┘
(0 rows)
`, out)
}

func TestErrorsShowACaret(t *testing.T) {
	s := newSession(t)
	_, errs := s.run("SELECT host,", "  fair", "FROM r;")
	require.True(t, strings.HasPrefix(errs, `Error: 2:3: unknown column "fair"`), errs)
	require.True(t, strings.HasSuffix(errs, "\nLINE 2:   fair\n          ^\n"), errs)

	_, errs = s.run("SELECT FROM r;")
	require.Contains(t, errs, "Error: 1:8: ")
	require.True(t, strings.HasSuffix(errs, "LINE 1: SELECT FROM r;\n               ^\n"), errs)

	_, errs = s.run("SELECT\thost, fair FROM r;")
	require.True(t, strings.HasSuffix(errs, "LINE 1: SELECT\thost, fair FROM r;\n"+
		"              \t      ^\n"), errs, "tabs kept")
}

func TestStatementsAfterAnErrorStillRun(t *testing.T) {
	s := newSession(t)
	out, errs := s.run("SELECT nope FROM r; SELECT host FROM r WHERE bytes = 7;")
	require.Contains(t, errs, "unknown column")
	require.Contains(t, out, "│ b    │")
}

func TestMetaCommands(t *testing.T) {
	s := newSession(t)

	out, _ := s.run(".help")
	for _, c := range metaCommands {
		require.Contains(t, out, c.names[0])
	}

	out, errs := s.run(".streams")
	require.Empty(t, errs)
	require.Regexp(t, `│ r +│ ts TIMESTAMP, host VARCHAR, bytes BIGINT +│ .*requests.csv │`, out)
	require.Regexp(t, `│ nexmark.bid +│ auction BIGINT, bidder BIGINT, .*… │ nexmark gen`, out)
	out2, _ := s.run(`\d`)
	require.Equal(t, out, out2)

	out, errs = s.run(`\d r;`)
	require.Empty(t, errs)
	require.Contains(t, out, "│ bytes  │ BIGINT    │")

	out, errs = s.run(".schema r")
	require.Empty(t, errs)
	require.True(t, strings.HasPrefix(out, "CREATE STREAM r (\n  ts TIMESTAMP,\n"+
		"  host VARCHAR,\n  bytes BIGINT\n) WITH (connector = 'file', path = '"), out)

	_, errs = s.run(".schema nope")
	require.Equal(t, "Error: unknown stream \"nope\" (the streams are r, nexmark.bid, "+
		"nexmark.auction, nexmark.person)\n", errs)

	out, errs = s.run(`\d nexmark.bid`)
	require.Empty(t, errs)
	require.Contains(t, out, "│ dateTime ")
	require.Contains(t, out, "dateTime - INTERVAL '4' SECOND")

	out, errs = s.run(".functions tumble_st")
	require.Empty(t, errs)
	require.NotContains(t, out, "│ count ")

	out, _ = s.run(".functions")
	require.Contains(t, out, "│ count ")

	out, errs = s.run(".timer on", "SELECT host FROM r LIMIT 1;", ".timer off",
		"SELECT host FROM r LIMIT 1;")
	require.Empty(t, errs)
	require.Equal(t, 1, strings.Count(out, "Run Time: real "))

	_, errs = s.run(".nope")
	require.Contains(t, errs, "Error: unknown command .nope; the commands are .help .streams")

	out, _ = s.run(`\q`, "SELECT host FROM r;")
	require.Empty(t, out, "nothing runs after \\q")

	_, errs = s.run(".timer maybe", ".read")
	require.Equal(t, "Error: expected on or off, got \"maybe\"\nError: usage: .read FILE\n",
		errs)
}

func TestOutputAndRead(t *testing.T) {
	s := newSession(t)
	file := filepath.Join(s.dir, "out.csv")
	script := filepath.Join(s.dir, "script.sql")
	require.NoError(t, os.WriteFile(script, []byte(".mode csv\n"+
		"SELECT host, bytes\n  FROM r WHERE bytes > 60;\n.quit\nSELECT 'never';\n"), 0o644))

	out, errs := s.run(".output "+file, ".read "+script, ".output",
		"SELECT host FROM r WHERE bytes = 7;")
	require.Empty(t, errs)
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	require.Equal(t, "host,bytes\na,100\n", string(data))
	require.Equal(t, "host\nb\n", out, "back on the screen, still in the mode .read set")

	_, errs = s.run(".read " + filepath.Join(s.dir, "missing.sql"))
	require.Contains(t, errs, "no such file")
}

// TestOutputWriteError sends results to a device that refuses writes: the failure names the
// file and its cause, and the next statement runs.
func TestOutputWriteError(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full on this system")
	}
	s := newSession(t)
	_, errs := s.run(".output /dev/full", ".mode csv", "SELECT host FROM r WHERE bytes = 7;")
	require.Equal(t, "Error: /dev/full: write: no space left on device\n", errs)
	out, errs := s.run(".output", ".mode csv", "SELECT host FROM r WHERE bytes = 7;")
	require.Empty(t, errs)
	require.Equal(t, "host\nb\n", out)
}

func TestStats(t *testing.T) {
	s := newSession(t)
	out, _ := s.run(".stats")
	require.Equal(t, "No query has run yet.\n", out)

	out, errs := s.run(perMinute, ".stats")
	require.Empty(t, errs)
	require.Contains(t, out, "Query finished after ")
	require.Regexp(t, `│ events read +│ +5 │`, out)
	require.Regexp(t, `│ windows fired +│ +\d+ │`, out)
	require.Regexp(t, `│ rows emitted +│ +4 │`, out)
}

func TestChartMode(t *testing.T) {
	s := newSession(t)
	out, errs := s.run(".chart bytes", perMinute, ".chart", ".chart off", ".chart")
	require.Empty(t, errs)
	require.Contains(t, out, "bytes by window_start, 2024-03-01 00:00:00 to 2024-03-01 "+
		"00:02:00 UTC (3 windows)")
	require.NotContains(t, out, "│ window_start", "the chart takes the table's place")
	require.True(t, strings.HasSuffix(out, "bytes\noff\n"), out)

	_, errs = s.run(".chart nope", perMinute)
	require.Contains(t, errs, `Error: no column "nope" to chart (the result has window_start, `)
}

func TestCtrlCWhileTypingDropsTheStatement(t *testing.T) {
	s := newSession(t)
	out, errs := s.run("SELECT nope", "\x03", "SELECT host FROM r WHERE bytes = 7;")
	require.Empty(t, errs)
	require.Contains(t, out, "│ b    │")
}

// TestInterruptCancelsTheQuery runs a query over a stream the test feeds and never ends,
// interrupts it once rows show, and checks that the shell goes on to the next line.
func TestInterruptCancelsTheQuery(t *testing.T) {
	s := newSession(t)
	ctx := context.Background()
	require.NoError(t, s.db.Exec(ctx, "CREATE STREAM p (ts TIMESTAMP, v BIGINT)"))

	stop := make(chan struct{})
	fed := make(chan struct{})
	go func() { // push a second of events every few milliseconds until stopped
		defer close(fed)
		app, err := s.db.Appender("p")
		if err != nil {
			return
		}
		defer app.Close()
		at := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
		for {
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
			at = at.Add(time.Second)
			if app.AppendRow(at, int64(1)) != nil || app.Flush() != nil {
				continue // no reader yet
			}
		}
	}()
	defer func() { close(stop); <-fed }()

	s.script = NewScript(strings.NewReader("SELECT window_start, count(*) AS n\n" +
		"FROM p GROUP BY TUMBLE(ts, 1s);\n.stats\n"))
	s.shell = New(Config{DB: s.db, In: s.script, Out: &s.out, Err: &s.errs})
	go func() {
		for !strings.Contains(s.out.String(), "00:00:0") {
			time.Sleep(5 * time.Millisecond)
		}
		s.shell.Interrupt()
	}()
	done := make(chan error, 1)
	go func() { done <- s.shell.Run(ctx) }()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(20 * time.Second):
		t.Fatal("the query was not cancelled")
	}
	require.Equal(t, "Cancelled.\n", s.errs.String())
	require.Contains(t, s.out.String(), "Query cancelled after ")
	require.Regexp(t, `│ windows fired +│ +[1-9]\d* │`, s.out.String())
}

func TestContextEndsTheShell(t *testing.T) {
	s := newSession(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s.script = NewScript(strings.NewReader("SELECT host FROM r;\n"))
	s.shell = New(Config{DB: s.db, In: s.script, Out: &s.out, Err: &s.errs})
	require.True(t, errors.Is(s.shell.Run(ctx), context.Canceled))
	require.Empty(t, s.out.String())
}

// syncBuffer is a bytes.Buffer safe to read while the shell writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func (b *syncBuffer) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.b.Reset()
}

// TestDescribeQuery lists a query's columns as DESCRIBE lists a stream's.
func TestDescribeQuery(t *testing.T) {
	s := newSession(t)
	out, errs := s.run(".mode csv", "DESCRIBE SELECT host, bytes ^ 2 AS sq FROM r;",
		"DESCRIBE r;")
	require.Empty(t, errs)
	require.Equal(t, "column,type,computed\nhost,VARCHAR,\"\"\nsq,DOUBLE,\"\"\n"+
		"column,type,computed\nts,TIMESTAMP,\"\"\nhost,VARCHAR,\"\"\nbytes,BIGINT,\"\"\n",
		out)
}

// TestSummaryGrammar checks the summary's words for one event and for several.
func TestSummaryGrammar(t *testing.T) {
	require.Equal(t, "1 late event dropped, 1 event late for some of its windows (5 events "+
		"read)", Summary(weir.Stats{LateDropped: 1, LatePartial: 1, EventsRead: 5}))
	require.Equal(t, "2 events late for some of their windows (1 event read)",
		Summary(weir.Stats{LatePartial: 2, EventsRead: 1}))
}
