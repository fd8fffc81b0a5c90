package planner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/weirsql/weir/exec"
	"github.com/weirsql/weir/functions"
	"github.com/weirsql/weir/parser"
)

// fuzzStreams is the catalog every input of FuzzPlan starts from: the streams the seed queries
// use, fed by the program or by a file that planning does not open.
const fuzzStreams = `
CREATE STREAM trips (pickup TIMESTAMP, zone BIGINT, fare DOUBLE, name VARCHAR, epoch BIGINT,
  WATERMARK FOR pickup AS pickup - INTERVAL '5' SECOND);
CREATE STREAM requests (ts TIMESTAMP, host VARCHAR, path VARCHAR, status BIGINT,
  latency DOUBLE, bytes BIGINT, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND);
CREATE STREAM ev (ts TIMESTAMP, k VARCHAR, v BIGINT, x DOUBLE, ok BOOLEAN, d INTERVAL)
  WITH (connector = 'file', path = 'never-opened.csv');
CREATE STREAM bid WITH (connector = 'nexmark', table = 'bid', events = 1000);
`

// FuzzPlan parses arbitrary text and plans each statement of it against a fixed catalog:
// CREATE STREAM adds a stream for the statements after it, a query or EXPLAIN is planned (and
// its plan printed and closed). Planning must never panic, whatever it is given, and must
// leave no memory behind. Seeded from the queries of the parser's, the planner's and the
// script tests and the examples; inputs that once failed are kept under
// testdata/fuzz/FuzzPlan and run by go test.
//
//	go test ./planner -run '^$' -fuzz FuzzPlan -fuzztime 60s
//
// A query over a file (FROM 'x.csv') infers the file's schema while it is planned: the target
// skips inputs whose strings name a path outside the package's folder (a device, a large
// file), which holds only small files.
func FuzzPlan(f *testing.F) {
	for _, seed := range fuzzSeeds(f) {
		f.Add(seed)
	}
	base, err := parser.Parse(fuzzStreams)
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, sql string) {
		if len(sql) > 1<<14 || namesPath(sql) {
			t.Skip()
		}
		stmts, err := parser.Parse(sql)
		if err != nil {
			return
		}
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		cat, reg := NewCatalog(), functions.NewRegistry()
		for _, st := range append(append([]*parser.Statement(nil), base...), stmts...) {
			planStatement(t, st, cat, reg, mem)
		}
		mem.AssertSize(t, 0)
	})
}

// planStatement plans one statement of FuzzPlan's input.
func planStatement(t *testing.T, st *parser.Statement, cat *Catalog, reg *functions.Registry,
	mem memory.Allocator) {
	var q *parser.Query
	switch {
	case st.CreateStream != nil:
		s, err := CreateStream(st.CreateStream, reg)
		if err == nil {
			_ = cat.Add(s, st.CreateStream.OrReplace)
		}
		return
	case st.DropStream != nil:
		cat.Drop(st.DropStream.Name.Parts[0])
		return
	case st.Query != nil:
		q = st.Query
	case st.Explain != nil:
		q = st.Explain.Query
	case st.Describe != nil && st.Describe.Query != nil:
		q = st.Describe.Query
	default:
		return
	}
	p, err := PlanQuery(q, &Context{Catalog: cat, Registry: reg,
		Env: &exec.Env{Mem: mem, Stats: &exec.Stats{}}, Stdin: strings.NewReader("")})
	if err != nil {
		require.NotEmpty(t, err.Error())
		return
	}
	require.NotNil(t, p.Root.Schema())
	require.NotEmpty(t, p.Explain.String())
	require.NoError(t, p.Root.Close())
	for _, c := range p.Closers {
		require.NoError(t, c.Close())
	}
}

// namesPath reports whether a string literal of sql holds a path separator, so that planning
// it could read a file outside the package's folder. It skips
// comments and quoted names as the lexer does.
func namesPath(sql string) bool {
	for i := 0; i < len(sql); i++ {
		rest := sql[i:]
		end := -1
		switch {
		case strings.HasPrefix(rest, "--"):
			end = strings.IndexByte(rest, '\n')
		case strings.HasPrefix(rest, "/*"):
			if end = strings.Index(rest[2:], "*/"); end < 0 {
				continue // not a comment: a division
			}
			end += 3
		case rest[0] == '"':
			end = strings.IndexByte(rest[1:], '"') + 1
		case rest[0] == '\'':
			end = strings.IndexByte(rest[1:], '\'') + 1
			if end > 0 && strings.Contains(rest[:end], "/") {
				return true
			}
		default:
			continue
		}
		if end <= 0 {
			return false // the lexer fails here, or the rest is a comment
		}
		i += end
	}
	return false
}

// fuzzSeeds returns the statements of the parser's query file, the planner's EXPLAIN files,
// the examples and the script tests (each script's statements as one input).
func fuzzSeeds(t testing.TB) []string {
	var seeds []string
	data, err := os.ReadFile("../parser/testdata/queries.sql")
	require.NoError(t, err)
	stmts, err := parser.Parse(string(data))
	require.NoError(t, err)
	for _, st := range stmts {
		seeds = append(seeds, string(data[st.Pos.Offset:st.EndPos.Offset]))
	}
	for _, glob := range []string{"testdata/explain/*.sql", "../examples/*.sql"} {
		files, err := filepath.Glob(glob)
		require.NoError(t, err)
		for _, file := range files {
			data, err := os.ReadFile(file)
			require.NoError(t, err)
			seeds = append(seeds, string(data))
		}
	}
	scripts, err := filepath.Glob("../testdata/script/*.test")
	require.NoError(t, err)
	for _, file := range scripts {
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		seeds = append(seeds, scriptStatements(string(data)))
	}
	return seeds
}

// scriptStatements returns the bodies of a script test's exec and query directives, as one
// text of statements.
func scriptStatements(script string) string {
	var out []string
	for _, block := range strings.Split(script, "\n\n") {
		lines := strings.Split(strings.TrimSpace(block), "\n")
		if len(lines) == 0 || !strings.HasPrefix(lines[0], "exec") &&
			!strings.HasPrefix(lines[0], "query") {
			continue
		}
		var body []string
		for _, l := range lines[1:] {
			if l == "----" {
				break
			}
			body = append(body, l)
		}
		out = append(out, strings.TrimSuffix(strings.Join(body, "\n"), ";"))
	}
	return strings.Join(out, ";\n")
}
