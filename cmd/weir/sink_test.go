package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The tests of issue 10's sink faults: a result or an INSERT INTO that cannot be written
// ends the query at once, with exit status 1 and a message naming the file and the cause.
// /dev/full (Linux) fails every write with ENOSPC, as a full disk does.

// endless is a stream that never ends: only a failed write can stop a query over it.
const endless = "CREATE STREAM g (x BIGINT) WITH (connector = 'datagen');"

// devFull skips the test where there is no /dev/full.
func devFull(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full:", err)
	}
	return "/dev/full"
}

// runPromptly runs the command and fails the test unless it ends within a deadline.
func runPromptly(t *testing.T, args []string, stdout io.Writer) (code int, stderr string) {
	t.Helper()
	var errb bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- run(args, nil, stdout, &errb) }()
	select {
	case code = <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("weir %q still runs 30s on", args)
	}
	return code, errb.String()
}

// TestOutputWriteError writes an endless result to /dev/full in each format.
func TestOutputWriteError(t *testing.T) {
	full := devFull(t)
	for _, format := range []string{"csv", "tsv", "json", "markdown", "table", "parquet",
		"arrow"} {
		t.Run(format, func(t *testing.T) {
			var out bytes.Buffer
			code, stderr := runPromptly(t, []string{"--format", format, "--output", full,
				"-c", endless + " SELECT x FROM g"}, &out)
			require.Equal(t, exitError, code, stderr)
			require.Equal(t, "weir: /dev/full: write: no space left on device\n", stderr)
			require.Empty(t, out.String())
		})
	}
}

// TestStdoutWriteError runs with stdout on /dev/full, as `weir ... > /dev/full` does.
func TestStdoutWriteError(t *testing.T) {
	f, err := os.OpenFile(devFull(t), os.O_WRONLY, 0)
	require.NoError(t, err)
	defer f.Close()
	code, stderr := runPromptly(t, []string{"--format", "csv", "-c", endless + " SELECT x FROM g"},
		f)
	require.Equal(t, exitError, code, stderr)
	require.Equal(t, "weir: stdout: write: no space left on device\n", stderr)
}

// TestOutputCannotBeCreated names an output file in a folder that does not exist.
func TestOutputCannotBeCreated(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "out.csv")
	var out bytes.Buffer
	code, stderr := runPromptly(t, []string{"--output", path, "-c", "SHOW STREAMS"}, &out)
	require.Equal(t, exitError, code, stderr)
	require.Equal(t, "weir: "+path+": open: no such file or directory\n", stderr)
}

// TestInsertWriteError inserts into a file stream whose file cannot be written: /dev/full in
// each format, from an endless stream and from a query with no rows (whose header or footer
// fails only at the close), and a file in a folder that does not exist.
func TestInsertWriteError(t *testing.T) {
	full := devFull(t)
	missing := filepath.Join(t.TempDir(), "missing", "out.csv")
	const noRows = "CREATE STREAM g (x BIGINT) WITH (connector = 'datagen', rows = '100');"
	const noSpace = "weir: /dev/full: write: no space left on device\n"
	for _, tt := range []struct {
		name, source, path, format, where, want string
	}{
		{"csv", endless, full, "csv", "", noSpace},
		{"tsv", endless, full, "tsv", "", noSpace},
		{"json", endless, full, "json", "", noSpace},
		{"parquet", endless, full, "parquet", "", noSpace},
		{"arrow", endless, full, "arrow", "", noSpace},
		{"csv no rows", noRows, full, "csv", " WHERE x < 0", noSpace},
		{"parquet no rows", noRows, full, "parquet", " WHERE x < 0", noSpace},
		{"missing folder", endless, missing, "csv", "",
			"weir: " + missing + ": open: no such file or directory\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sql := tt.source + " CREATE STREAM s (x BIGINT) WITH (connector = 'file', " +
				"path = '" + tt.path + "', format = '" + tt.format + "');" +
				" INSERT INTO s SELECT x FROM g" + tt.where + "; SHOW STREAMS"
			var out bytes.Buffer
			code, stderr := runPromptly(t, []string{"--format", "csv", "-c", sql}, &out)
			require.Equal(t, exitError, code, stderr)
			require.Equal(t, tt.want, stderr)
			require.Empty(t, out.String(), "the statements after the failed one do not run")
		})
	}
}

// TestLateFileWriteError keeps late events in a file that cannot be created. Nothing is
// late, so the file fails only when the query closes it: the failure must still show.
func TestLateFileWriteError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "late.csv")
	var out bytes.Buffer
	code, stderr := runPromptly(t, []string{"--late", path, "--format", "csv", "-c",
		"CREATE STREAM g (ts TIMESTAMP, x BIGINT) WITH (connector = 'datagen', " +
			"rows = '100', rate = '10'); " +
			"SELECT window_start, count(*) AS n FROM g GROUP BY TUMBLE(ts, 1s)"}, &out)
	require.Equal(t, exitError, code, stderr)
	require.Equal(t, "weir: "+path+": open: no such file or directory\n", stderr)
	require.Contains(t, out.String(), "2024-01-01T00:00:09Z,10\n")
}
