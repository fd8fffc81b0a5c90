package planner

import (
	"flag"
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

var update = flag.Bool("update", false, "rewrite the golden EXPLAIN outputs in testdata/explain")

// explainStreams are the streams the golden plans read.
const explainStreams = `
CREATE STREAM requests (
  time BIGINT, host VARCHAR, status BIGINT, bytes BIGINT, latency DOUBLE,
  ts AS to_timestamp(time),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH (connector = 'file', path = 'requests.csv', format = 'csv');
CREATE STREAM events (ts TIMESTAMP, k VARCHAR, v BIGINT) WITH (idle_timeout = '30s');
`

// TestExplainGolden plans each query of testdata/explain/*.sql and compares its EXPLAIN tree
// with the .golden file beside it; -update rewrites the golden files.
func TestExplainGolden(t *testing.T) {
	reg := functions.NewRegistry()
	cat := NewCatalog()
	stmts, err := parser.Parse(explainStreams)
	require.NoError(t, err)
	for _, st := range stmts {
		s, err := CreateStream(st.CreateStream, reg)
		require.NoError(t, err)
		require.NoError(t, cat.Add(s, false))
	}
	files, err := filepath.Glob("testdata/explain/*.sql")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".sql"), func(t *testing.T) {
			sql, err := os.ReadFile(f)
			require.NoError(t, err)
			stmts, err := parser.Parse(string(sql))
			require.NoError(t, err)
			require.Len(t, stmts, 1)
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			p, err := PlanQuery(stmts[0].Query, &Context{Catalog: cat, Registry: reg,
				Env: &exec.Env{Mem: mem, Stats: &exec.Stats{}}})
			require.NoError(t, err)
			got := p.Explain.String()
			golden := strings.TrimSuffix(f, ".sql") + ".golden"
			if *update {
				require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run go test ./planner -run TestExplainGolden -update")
			require.Equal(t, string(want), got)
			mem.AssertSize(t, 0)
		})
	}
}
