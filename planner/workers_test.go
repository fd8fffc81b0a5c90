package planner

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/weirsql/weir/exec"
	"github.com/weirsql/weir/functions"
	"github.com/weirsql/weir/parser"
)

// TestWorkersOnlyWhenExact plans queries with 4 workers and checks which aggregates are
// split across them (EXPLAIN says so) and which keep one.
func TestWorkersOnlyWhenExact(t *testing.T) {
	for _, c := range []struct {
		sql   string
		split bool
	}{
		{`SELECT host, count(*) FROM requests GROUP BY host, TUMBLE(ts, 1m)`, true},
		{`SELECT host, status, avg(latency) FROM requests WHERE status < 500
			GROUP BY host, status, SESSION(ts, 30s) EMIT CHANGES`, true},
		{`SELECT count(*) FROM requests GROUP BY TUMBLE(ts, 1m)`, false},
		{`SELECT host, count(*) FROM requests GROUP BY host`, false},
		{`SELECT host, count(*) AS n FROM requests GROUP BY host, TUMBLE(ts, 1m)
			ORDER BY n DESC LIMIT 3`, false},
		{`SELECT host, count(*), rank() OVER (PARTITION BY window_start ORDER BY count(*))
			FROM requests GROUP BY host, TUMBLE(ts, 1m)`, false},
		{`SELECT host, count(*) FILTER (WHERE host LIKE 'a%') FROM requests
			GROUP BY host, TUMBLE(ts, 1m)`, false},
		{`SELECT host, max(now()) FROM requests GROUP BY host, TUMBLE(ts, 1m)`, false},
	} {
		plan := explainWith(t, c.sql, functions.NewRegistry(), 4)
		if c.split {
			require.Contains(t, plan, "    workers: 4\n", c.sql)
		} else {
			require.NotContains(t, plan, "workers:", c.sql)
		}
		require.NotContains(t, explainWith(t, c.sql, functions.NewRegistry(), 1), "workers:")
	}

	reg := functions.NewRegistry()
	lower, ok := reg.Scalar("lower")
	require.True(t, ok)
	mine := *lower
	mine.Name = "mine"
	reg.RegisterScalar(&mine)
	require.NotContains(t, explainWith(t, `SELECT host, count(*) FROM requests
		GROUP BY host, TUMBLE(ts, 1m)`, reg, 4), "workers:",
		"a user-defined function may not be safe for concurrent use")
}

func explainWith(t *testing.T, sql string, reg *functions.Registry, workers int) string {
	t.Helper()
	cat := NewCatalog()
	stmts, err := parser.Parse(explainStreams)
	require.NoError(t, err)
	for _, st := range stmts {
		s, err := CreateStream(st.CreateStream, reg)
		require.NoError(t, err)
		require.NoError(t, cat.Add(s, false))
	}
	stmts, err = parser.Parse(sql)
	require.NoError(t, err, sql)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	p, err := PlanQuery(stmts[0].Query, &Context{Catalog: cat, Registry: reg, Workers: workers,
		Env: &exec.Env{Mem: mem, Stats: &exec.Stats{}}})
	require.NoError(t, err, sql)
	return p.Explain.String()
}
