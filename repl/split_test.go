package repl

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		stmts []string
		rest  string
	}{
		{"one", "SELECT 1;", []string{"SELECT 1;"}, ""},
		{"unfinished", "SELECT 1", nil, "SELECT 1"},
		{"two on a line", "SELECT 1; SELECT 2;\n", []string{"SELECT 1;", "SELECT 2;"}, ""},
		{"second unfinished", "SELECT 1; SELECT\n", []string{"SELECT 1;"}, " SELECT\n"},
		{"multi-line", "SELECT a,\n  b\nFROM s\n;\n", []string{"SELECT a,\n  b\nFROM s\n;"}, ""},
		{"semicolon in string", "SELECT 'a;b' FROM s;", []string{"SELECT 'a;b' FROM s;"}, ""},
		{"doubled quote", "SELECT 'it''s;' ;", []string{"SELECT 'it''s;' ;"}, ""},
		{"open string", "SELECT 'a;\nb;", nil, "SELECT 'a;\nb;"},
		{"open string then closed", "SELECT 'a;\nb';", []string{"SELECT 'a;\nb';"}, ""},
		{"quoted identifier", `SELECT "x;y" FROM s;`, []string{`SELECT "x;y" FROM s;`}, ""},
		{"open identifier", `SELECT "x;`, nil, `SELECT "x;`},
		{"line comment", "SELECT 1 -- not yet;\n", nil, "SELECT 1 -- not yet;\n"},
		{"line comment then end", "SELECT 1 -- a;\n;", []string{"SELECT 1 -- a;\n;"}, ""},
		{"block comment", "SELECT /* ; */ 1;", []string{"SELECT /* ; */ 1;"}, ""},
		{"open block comment", "SELECT /* ;\n", nil, "SELECT /* ;\n"},
		{"comment after end", "SELECT 1; -- done\n", []string{"SELECT 1;"}, ""},
		{"block comment after end", "SELECT 1; /* x */", []string{"SELECT 1;"}, ""},
		{"open comment after end", "SELECT 1; /* x", []string{"SELECT 1;"}, " /* x"},
		{"empty statements", " ; ;\n;", nil, ""},
		{"comment-only statement", "-- hi\n;", nil, ""},
		{"leading blank lines", "\n\n  SELECT 1;", []string{"SELECT 1;"}, ""},
		{"dash in expression", "SELECT 3-1;", []string{"SELECT 3-1;"}, ""},
		{"slash in expression", "SELECT 3/1;", []string{"SELECT 3/1;"}, ""},
		{"quote in comment", "SELECT 1 -- it's\n;", []string{"SELECT 1 -- it's\n;"}, ""},
		{"comment marks in string", "SELECT '--', '/*';", []string{"SELECT '--', '/*';"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stmts, rest := Split(tt.text)
			require.Equal(t, tt.stmts, stmts)
			require.Equal(t, tt.rest, rest)
		})
	}
}

func TestBlank(t *testing.T) {
	for text, want := range map[string]bool{
		"":                 true,
		" \n\t":            true,
		"-- x":             true,
		"-- x\n/* y */ \n": true,
		"/* y":             false,
		"x":                false,
		"- x":              false,
		"/ x":              false,
	} {
		require.Equal(t, want, Blank(text), "%q", text)
	}
}
