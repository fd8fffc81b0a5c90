package weir

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReadCSVOfTSVFile reads a .tsv file with read_csv: its columns are split at tabs, as the
// file's extension says (DuckDB's read_csv finds the tabs too), unless a delimiter is given.
func TestReadCSVOfTSVFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "n.tsv")
	require.NoError(t, os.WriteFile(path, []byte("a\tb\n1\tx\n2\ty\n"), 0o644))
	db, err := Open()
	require.NoError(t, err)
	defer db.Close()

	rows, _, _ := query(t, db, `SELECT b, a FROM read_csv('`+path+`', header => true)`)
	require.Equal(t, []string{"x | 1", "y | 2"}, rows)

	// A delimiter given wins: a semicolon never occurs, so each line is one column.
	rows, _, _ = query(t, db, `SELECT * FROM read_csv('`+path+`', header => true,
		delimiter => ';')`)
	require.Equal(t, []string{"1\tx", "2\ty"}, rows)
}
