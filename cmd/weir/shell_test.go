package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/stretchr/testify/require"

	"github.com/weirsql/weir"
)

// binary is the weir command built once for the tests that run it as a process.
var binary struct {
	once sync.Once
	path string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binary.path != "" {
		os.RemoveAll(filepath.Dir(binary.path))
	}
	os.Exit(code)
}

// weirBinary builds the command into a temporary folder, once.
func weirBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	binary.once.Do(func() {
		dir, err := os.MkdirTemp("", "weir-bin-")
		if err != nil {
			binary.err = err
			return
		}
		binary.path = filepath.Join(dir, "weir")
		out, err := exec.Command("go", "build", "-o", binary.path, ".").CombinedOutput()
		if err != nil {
			binary.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	require.NoError(t, binary.err)
	return binary.path
}

// nexmarkQuery is the query the terminal test types, when the built-in Nexmark stream plans.
var nexmarkQuery = []string{
	"SELECT window_start, count(*) AS bids, max(price) AS top",
	"FROM nexmark.bid GROUP BY TUMBLE(dateTime, 1s);",
}

// streamingQuery returns the statements that set up a stream that never ends, and a query
// over it in two lines: over nexmark.bid when it plans, else over a named pipe the test feeds
// with a second of events every few milliseconds until it is done.
func streamingQuery(t *testing.T, dir string) (setup string, query []string) {
	db, err := weir.Open()
	require.NoError(t, err)
	defer db.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rows, err := db.Query(ctx, strings.Join(nexmarkQuery, "\n"))
	if err == nil && os.Getenv("WEIR_TEST_PIPE") == "" { // set to test the fallback

		rows.Close()
		t.Log("typing a query over nexmark.bid")
		return "", nexmarkQuery
	}
	t.Logf("nexmark.bid does not plan yet (%v): typing a query over a named pipe", err)

	fifo := filepath.Join(dir, "events.csv")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	done := make(chan struct{})
	fed := make(chan struct{})
	t.Cleanup(func() { close(done); <-fed })
	go func() {
		defer close(fed)
		f, err := openWhenRead(fifo, done)
		if err != nil {
			return
		}
		defer f.Close()
		at := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
		if _, err := io.WriteString(f, "ts,price\n"); err != nil {
			return
		}
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
			at = at.Add(250 * time.Millisecond)
			line := fmt.Sprintf("%s,%d\n", at.Format(time.RFC3339Nano), i%100)
			if _, err := io.WriteString(f, line); err != nil {
				return // the query was cancelled and closed the pipe
			}
		}
	}()
	setup = "CREATE STREAM bids (ts TIMESTAMP, price BIGINT) WITH (connector = 'file', " +
		"path = '" + fifo + "', format = 'csv');"
	return setup, []string{
		"SELECT window_start, count(*) AS bids, max(price) AS top",
		"FROM bids GROUP BY TUMBLE(ts, 1s);",
	}
}

// openWhenRead opens a named pipe for writing once a reader opens it, or gives up when done
// closes.
func openWhenRead(path string, done chan struct{}) (*os.File, error) {
	for {
		f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0)
		if err == nil {
			return f, nil // writes block again: os.File waits in the poller
		}
		if !errors.Is(err, syscall.ENXIO) {
			return nil, err
		}
		select {
		case <-done:
			return nil, err
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// screen collects what the shell draws on the terminal.
type screen struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor waits until the screen, after offset from, matches re, and returns where the match
// ends.
func (s *screen) waitFor(t *testing.T, from int, re string) int {
	t.Helper()
	pattern := regexp.MustCompile(re)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		text := s.String()
		if loc := pattern.FindStringIndex(text[min(from, len(text)):]); loc != nil {
			return from + loc[1]
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("waited for %q; the screen shows:\n%s", re, s.String()[min(from, len(s.String())):])
	return 0
}

// TestShellInATerminal runs the built binary in a pseudo-terminal as a user would: it types
// a two-line query over a stream that never ends, sees rows, presses Ctrl-C, sees the prompt
// again, and leaves with .quit.
func TestShellInATerminal(t *testing.T) {
	bin := weirBinary(t)
	dir := t.TempDir()
	setup, query := streamingQuery(t, dir)

	cmd := exec.Command(bin)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+dir, "TERM=xterm")
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: 120})
	require.NoError(t, err)
	defer tty.Close()
	var scr screen
	go func() { _, _ = io.Copy(&scr, tty) }()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() { _ = cmd.Process.Kill() }()
	typeLine := func(s string) {
		_, err := tty.Write([]byte(s + "\r"))
		require.NoError(t, err)
	}

	at := scr.waitFor(t, 0, `weir> `)
	if setup != "" {
		typeLine(setup)
		at = scr.waitFor(t, at, `weir> `)
	}
	typeLine(query[0])
	at = scr.waitFor(t, at, regexp.QuoteMeta(`   ...> `))
	typeLine(query[1])
	at = scr.waitFor(t, at, `│ (\d{4}-\d\d-\d\dT)?\d\d:\d\d:\d\d(\.\d+)?Z? +│ +\d+ │`)
	at = scr.waitFor(t, at, `\n│[^\n]+\n│[^\n]+\n`) // more rows stream in

	_, err = tty.Write([]byte{3}) // Ctrl-C
	require.NoError(t, err)
	at = scr.waitFor(t, at, `Cancelled\.`)
	at = scr.waitFor(t, at, `weir> `)

	typeLine(".stats")
	at = scr.waitFor(t, at, `Query cancelled after`)
	scr.waitFor(t, at, `weir> `)
	typeLine(".quit")
	select {
	case err := <-exited:
		require.NoError(t, err, scr.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("weir did not exit after .quit; the screen shows:\n%s", scr.String())
	}

	history, err := os.ReadFile(filepath.Join(dir, ".weir_history"))
	require.NoError(t, err)
	require.Contains(t, string(history), strings.Join(query, " "),
		"a statement typed over two lines is one history entry")
}

// TestClosedPipe runs the binary into a pipe whose reader has gone, as `weir ... | head`
// leaves it: weir stops at once, says nothing, and exits with 141 as a shell would report.
func TestClosedPipe(t *testing.T) {
	bin := weirBinary(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "big.csv")
	var data strings.Builder
	data.WriteString("n\n")
	for i := range 200_000 {
		fmt.Fprintf(&data, "%d\n", i)
	}
	require.NoError(t, os.WriteFile(path, []byte(data.String()), 0o644))

	r, w, err := os.Pipe()
	require.NoError(t, err)
	require.NoError(t, r.Close()) // the reader has gone before the first row
	cmd := exec.Command(bin, "-c", "CREATE STREAM big (n BIGINT) WITH (connector = 'file', "+
		"path = '"+path+"'); SELECT n FROM big;")
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = w, &stderr
	err = cmd.Run()
	w.Close()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	require.Equal(t, exitPipe, exit.ExitCode())
	require.Empty(t, stderr.String())
}

// TestSignals interrupts and terminates a query that waits for more input, and checks the
// exit statuses DESIGN.md lists: 130 after Ctrl-C, 143 after SIGTERM.
func TestSignals(t *testing.T) {
	bin := weirBinary(t)
	for _, tt := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, exitInterrupt}, {syscall.SIGTERM, exitTerm}} {
		t.Run(tt.sig.String(), func(t *testing.T) {
			cmd := exec.Command(bin, "--format", "csv", "-c", "CREATE STREAM s (x BIGINT) "+
				"WITH (connector = 'stdin', format = 'csv'); SELECT x FROM s")
			in, err := cmd.StdinPipe()
			require.NoError(t, err)
			defer in.Close()
			out, err := cmd.StdoutPipe()
			require.NoError(t, err)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			require.NoError(t, cmd.Start())

			_, err = io.WriteString(in, "x\n42\n") // the pipe stays open: the query waits
			require.NoError(t, err)
			line := make([]byte, len("x\n42\n"))
			_, err = io.ReadFull(out, line)
			require.NoError(t, err)
			require.Equal(t, "x\n42\n", string(line))

			require.NoError(t, cmd.Process.Signal(tt.sig))
			err = cmd.Wait()
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit)
			require.Equal(t, tt.code, exit.ExitCode(), stderr.String())
		})
	}
}

func TestClosedPipeInProcess(t *testing.T) {
	r, w := io.Pipe()
	r.Close()
	var stderr bytes.Buffer
	code := run([]string{"-c", "SHOW FUNCTIONS"}, nil, w, &stderr)
	require.Equal(t, exitPipe, code)
	require.Empty(t, stderr.String())
}

func TestStatementsFromStdin(t *testing.T) {
	var out, errb bytes.Buffer
	code := run(nil, strings.NewReader("SHOW STREAMS;\nCREATE STREAM s (x BIGINT);\n"+
		"SHOW STREAMS;\n"), &out, &errb)
	require.Equal(t, 0, code, errb.String())
	// The built-in streams are listed after the program's.
	const builtin = "nexmark.bid\nnexmark.auction\nnexmark.person\n"
	require.Equal(t, "name\n"+builtin+"name\ns\n"+builtin, out.String())

	code = run(nil, strings.NewReader("SELECT nope\nFROM s;"), &out, &errb)
	require.Equal(t, 1, code)
	require.Contains(t, errb.String(), "2:6: ")

	errb.Reset()
	require.Equal(t, 0, run(nil, strings.NewReader(" \n"), &out, &errb), "nothing to do")
	require.Equal(t, 2, run(nil, nil, &out, &errb), "no input at all")
}

func TestOutputFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "streams.csv")
	var out, errb bytes.Buffer
	code := run([]string{"--output", file, "-c", "CREATE STREAM s (x BIGINT); SHOW STREAMS"},
		nil, &out, &errb)
	require.Equal(t, 0, code, errb.String())
	require.Empty(t, out.String())
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	require.Equal(t, "name\ns\nnexmark.bid\nnexmark.auction\nnexmark.person\n", string(data))

	file = filepath.Join(dir, "streams.json")
	require.Equal(t, 0, run([]string{"--output", file, "-c", "CREATE STREAM s (x BIGINT); " +
		"SHOW STREAMS"}, nil, &out, &errb))
	data, err = os.ReadFile(file)
	require.NoError(t, err)
	require.Equal(t, `{"name":"s"}`+"\n"+`{"name":"nexmark.bid"}`+"\n"+
		`{"name":"nexmark.auction"}`+"\n"+`{"name":"nexmark.person"}`+"\n", string(data))

	errb.Reset()
	require.Equal(t, 2, run([]string{"--output", filepath.Join(dir, "x.what"), "-c", "SHOW " +
		"STREAMS"}, nil, &out, &errb))
	require.Contains(t, errb.String(), "cannot tell the format of")

	// Parquet and Arrow files are written when the result writer knows the formats, and
	// refused with its error until then.
	for _, ext := range []string{"parquet", "arrow"} {
		errb.Reset()
		file = filepath.Join(dir, "streams."+ext)
		code := run([]string{"--output", file, "-c", "SHOW STREAMS"}, nil, &out, &errb)
		if code == 0 {
			info, err := os.Stat(file)
			require.NoError(t, err)
			require.NotZero(t, info.Size())
			continue
		}
		require.Equal(t, 2, code)
		require.Contains(t, errb.String(), ext)
	}
}

func TestHelpHasExamples(t *testing.T) {
	var out, errb bytes.Buffer
	require.Equal(t, 0, run([]string{"--help"}, nil, &out, &errb))
	require.Contains(t, out.String(), "examples:")
	require.Contains(t, out.String(), "--output FILE")
	require.Contains(t, out.String(), "interactive shell")
}

// TestPipedStatementsRunAsTheyComplete pipes statements into weir and keeps the pipe open: a
// statement runs as soon as its semicolon arrives, not when the input ends.
func TestPipedStatementsRunAsTheyComplete(t *testing.T) {
	pr, pw := io.Pipe()
	outR, outW := io.Pipe()
	var errb bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run([]string{"--format", "csv"}, pr, outW, &errb)
		outW.Close()
	}()
	_, err := io.WriteString(pw, "SELECT 1 AS x;\nSELECT auction FROM nexmark.bid\nLIMIT 2;\n")
	require.NoError(t, err)
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(outR)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var got []string
	for len(got) < 5 {
		select {
		case l := <-lines:
			got = append(got, l)
		case <-time.After(30 * time.Second):
			t.Fatalf("no output before the input ends, got %q", got)
		}
	}
	require.Equal(t, []string{"x", "1", "auction"}, got[:3])
	require.NoError(t, pw.Close())
	for range lines {
	}
	require.Equal(t, 0, <-done, errb.String())
}

// TestPipedStatementsErrors checks piped statements' errors: positions count the lines of the
// whole input, a shell command is refused with a hint, and the first failure stops the rest.
func TestPipedStatementsErrors(t *testing.T) {
	var out, errb bytes.Buffer
	code := run(nil, strings.NewReader("SELECT 1 AS a;\n\n-- note\nSELECT nope\nFROM s;\n"+
		"SELECT 2 AS b;\n"), &out, &errb)
	require.Equal(t, exitError, code)
	require.Equal(t, "a\n1\n", out.String())
	require.Contains(t, errb.String(), "5:6: unknown stream \"s\"")

	out.Reset()
	errb.Reset()
	code = run(nil, strings.NewReader("SELECT 1 AS a;\n.mode table\nSELECT 2 AS b;\n"), &out,
		&errb)
	require.Equal(t, exitError, code)
	require.Equal(t, "a\n1\n", out.String())
	require.Equal(t, "error: 2:1: .mode is a command of the interactive shell; in a script "+
		"use --format and --output\n", errb.String())

	out.Reset()
	errb.Reset()
	code = run(nil, strings.NewReader("SELECT 1 AS a; SELECT 2\nAS b"), &out, &errb)
	require.Equal(t, 0, code, errb.String())
	require.Equal(t, "a\n1\nb\n2\n", out.String(), "the last statement needs no semicolon")
}
