package planner

import (
	"runtime"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/weirsql/weir/exec"
	"github.com/weirsql/weir/functions"
	"github.com/weirsql/weir/parser"
)

// longQueries make a query of n terms in one flat expression of each kind whose planning
// could print or walk the whole expression once per term.
var longQueries = map[string]func(n int) string{
	"plus": func(n int) string {
		return "SELECT 1" + strings.Repeat(" + 1", n-1) + " FROM ev"
	},
	"concat": func(n int) string {
		return "SELECT k" + strings.Repeat(" || 'a'", n-1) + " FROM ev"
	},
	"and": func(n int) string {
		return "SELECT * FROM ev WHERE v > 0" + strings.Repeat(" AND v > 0", n-1)
	},
	"cast": func(n int) string {
		return "SELECT v" + strings.Repeat("::BIGINT", n-1) + " FROM ev"
	},
	"is null": func(n int) string {
		return "SELECT v IS NULL" + strings.Repeat(" IS NULL", n-1) + " FROM ev"
	},
	"in": func(n int) string {
		return "SELECT v IN (1" + strings.Repeat(", 1", n-1) + ") FROM ev"
	},
	"case": func(n int) string {
		return "SELECT CASE v" + strings.Repeat(" WHEN 1 THEN 2", n) + " END FROM ev"
	},
	"group key": func(n int) string {
		return "SELECT k" + strings.Repeat(" || k", n-1) + ", count(*) FROM ev GROUP BY k"
	},
	"aggregate": func(n int) string {
		return "SELECT k, sum(v" + strings.Repeat(" + v", n-1) + ") FROM ev GROUP BY k"
	},
}

// planAllocs parses sql, then plans it and prints its plan, and returns the bytes the
// planning and printing allocated.
func planAllocs(tb testing.TB, cat *Catalog, reg *functions.Registry, sql string) uint64 {
	tb.Helper()
	stmts, err := parser.Parse(sql)
	require.NoError(tb, err)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	p, err := PlanQuery(stmts[0].Query, &Context{Catalog: cat, Registry: reg,
		Env: &exec.Env{Mem: mem, Stats: &exec.Stats{}}})
	require.NoError(tb, err)
	plan := p.Explain.String()
	runtime.ReadMemStats(&after)
	require.Greater(tb, len(plan), len(sql)/2, "the plan prints the expression")
	for _, s := range p.Sources {
		require.NoError(tb, s.Close())
	}
	return after.TotalAlloc - before.TotalAlloc
}

// longCatalog has the stream ev, fed by the program.
func longCatalog(tb testing.TB) (*Catalog, *functions.Registry) {
	tb.Helper()
	reg, cat := functions.NewRegistry(), NewCatalog()
	stmts, err := parser.Parse(`CREATE STREAM ev (ts TIMESTAMP, k VARCHAR, v BIGINT)`)
	require.NoError(tb, err)
	s, err := CreateStream(stmts[0].CreateStream, reg)
	require.NoError(tb, err)
	require.NoError(tb, cat.Add(s, false))
	return cat, reg
}

// TestPlanLongExpressionLinear plans flat expressions of 10,000 and 20,000 terms and checks
// that the bytes planning allocates grow linearly: twice the terms may take at most 2.5 times
// the bytes (keeping each node's text would take four times), and no more than 4 KB a term.
func TestPlanLongExpressionLinear(t *testing.T) {
	cat, reg := longCatalog(t)
	const n = 10_000
	for name, query := range longQueries {
		t.Run(name, func(t *testing.T) {
			small := planAllocs(t, cat, reg, query(n))
			large := planAllocs(t, cat, reg, query(2*n))
			t.Logf("%d terms: %d B/term, %d terms: %d B/term", n, small/n, 2*n, large/(2*n))
			require.Less(t, float64(large), 2.5*float64(small),
				"planning %d terms took %d bytes, %d terms %d", n, small, 2*n, large)
			require.Less(t, large/(2*n), uint64(4096), "bytes per term")
		})
	}
}

// BenchmarkPlanLongExpression plans SELECT 1 + 1 + ... of 100,000 terms (parsed once).
func BenchmarkPlanLongExpression(b *testing.B) {
	cat, reg := longCatalog(b)
	stmts, err := parser.Parse(longQueries["plus"](100_000))
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		p, err := PlanQuery(stmts[0].Query, &Context{Catalog: cat, Registry: reg,
			Env: &exec.Env{Mem: memory.DefaultAllocator, Stats: &exec.Stats{}}})
		if err != nil {
			b.Fatal(err)
		}
		for _, s := range p.Sources {
			s.Close()
		}
	}
}
