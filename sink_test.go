package weir

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/weirsql/weir/connector"
)

// execPromptly runs Exec and fails the test unless it returns within a deadline.
func execPromptly(t *testing.T, db *DB, sql string) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- db.Exec(context.Background(), sql) }()
	select {
	case err := <-done:
		return err
	case <-time.After(30 * time.Second):
		t.Fatalf("still running 30s on: %s", sql)
		return nil
	}
}

// TestInsertWriteError inserts into files that cannot be written (issue 10): the statement
// ends at once with a *connector.WriteError naming the file and the cause, and the engine
// stays usable.
func TestInsertWriteError(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing", "out.csv")
	for _, tt := range []struct {
		name, path, format, where string
		rows                      string // datagen's rows: "0" never ends
		cause                     error
		want                      string
	}{
		{"disk full", "/dev/full", "csv", "", "0", syscall.ENOSPC,
			"/dev/full: write: no space left on device"},
		{"disk full json", "/dev/full", "json", "", "0", syscall.ENOSPC,
			"/dev/full: write: no space left on device"},
		{"disk full parquet", "/dev/full", "parquet", "", "0", syscall.ENOSPC,
			"/dev/full: write: no space left on device"},
		{"disk full arrow", "/dev/full", "arrow", "", "0", syscall.ENOSPC,
			"/dev/full: write: no space left on device"},
		{"disk full no rows", "/dev/full", "csv", " WHERE x < 0", "100", syscall.ENOSPC,
			"/dev/full: write: no space left on device"},
		{"missing folder", missing, "csv", "", "0", fs.ErrNotExist,
			missing + ": open: no such file or directory"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := os.Stat(tt.path); tt.path == "/dev/full" && err != nil {
				t.Skip("no /dev/full:", err)
			}
			db, err := Open()
			require.NoError(t, err)
			defer db.Close()
			require.NoError(t, db.Exec(context.Background(), `
				CREATE STREAM g (x BIGINT) WITH (connector = 'datagen', rows = '`+tt.rows+`');
				CREATE STREAM s (x BIGINT) WITH (connector = 'file', path = '`+tt.path+`',
				  format = '`+tt.format+`')`))

			err = execPromptly(t, db, "INSERT INTO s SELECT x FROM g"+tt.where)
			var we *connector.WriteError
			require.ErrorAs(t, err, &we)
			require.Equal(t, tt.path, we.Path)
			require.ErrorIs(t, err, tt.cause)
			require.EqualError(t, err, tt.want)
			require.NoError(t, db.Exec(context.Background(), "DROP STREAM g"))
		})
	}
}

// TestInsertLateFileError keeps an INSERT's late events in a file that cannot be created.
// Nothing is late, so the file fails only when the query closes it; INSERT must say so.
func TestInsertLateFileError(t *testing.T) {
	dir := t.TempDir()
	late := filepath.Join(dir, "missing", "late.csv")
	out := filepath.Join(dir, "out.csv")
	db, err := Open()
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.Exec(context.Background(), `
		CREATE STREAM g (ts TIMESTAMP, x BIGINT) WITH (connector = 'datagen', rows = '100',
		  rate = '10');
		CREATE STREAM s (minute TIMESTAMP, n BIGINT) WITH (connector = 'file',
		  path = '`+out+`');
		SET late_file = '`+late+`'`))

	err = execPromptly(t, db, `INSERT INTO s SELECT window_start, count(*) FROM g
		GROUP BY TUMBLE(ts, 1s)`)
	require.ErrorIs(t, err, fs.ErrNotExist)
	require.ErrorContains(t, err, late)
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	require.Contains(t, string(data), "2024-01-01T00:00:09Z,10\n", "the rows are written")
}
