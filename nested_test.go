package weir

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/weirsql/weir/connector"
)

// TestNestedJSONDotted reads the fields of a nested JSON object as a.b, unquoted, as well as
// by the flattened column's quoted name "a.b".
func TestNestedJSONDotted(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"a":{"b":1,"c":"x"},"n":2}`+"\n"+
		`{"a":{"b":3,"c":"y"},"n":4}`+"\n"), 0o644))
	db, err := Open()
	require.NoError(t, err)
	defer db.Close()
	rows, err := db.Query(context.Background(),
		"SELECT a.b + 1 AS b1, A.C AS c, \"a.b\" AS q FROM '"+path+"' WHERE a.b > 1")
	require.NoError(t, err)
	defer rows.Close()
	var got []string
	for rows.Next() {
		b := rows.Batch()
		for i := range int(b.NumRows()) {
			for _, col := range b.Columns() {
				s, _ := connector.FormatValue(col, i)
				got = append(got, s)
			}
		}
	}
	require.NoError(t, rows.Err())
	require.Equal(t, []string{"4", "y", "3"}, got)

	_, err = db.Query(context.Background(), "SELECT a.z FROM '"+path+"'")
	require.ErrorContains(t, err, `unknown column "a.z"`)
}
