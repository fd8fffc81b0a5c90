package functions

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

var updateDocs = flag.Bool("update", false, "rewrite docs/functions.md from the registry")

// TestFunctionsDoc checks that docs/functions.md is the registry's Markdown; -update (or
// go generate ./functions) rewrites it.
func TestFunctionsDoc(t *testing.T) {
	got := Markdown(NewRegistry().Entries())
	path := filepath.Join("..", "docs", "functions.md")
	if *updateDocs {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, string(want), got,
		"docs/functions.md is out of date: run go generate ./functions")
}

func TestMarkdownEscapesPipes(t *testing.T) {
	md := Markdown([]Entry{{Name: "f", Kind: "scalar", Args: "(A|B) -> C", NullRule: "r",
		Summary: "s"}, {Name: "g", Kind: "analytic", Args: "()", NullRule: "r", Summary: "s"}})
	require.Contains(t, md, "| `f` | (A\\|B) -> C | r | s |\n")
	require.Contains(t, md, "## Analytic functions")
}

// TestRegistryHasEveryFunction checks the functions DESIGN.md and issue 5 list.
func TestRegistryHasEveryFunction(t *testing.T) {
	reg := NewRegistry()
	for _, name := range []string{"count", "approx_count_distinct", "sum", "min", "max", "avg",
		"stddev", "stddev_samp", "stddev_pop", "variance", "var_samp", "var_pop", "median",
		"approx_median", "p50", "p90", "p95", "p99", "p999", "percentile", "percentile_cont",
		"percentile_disc", "quantile_cont", "quantile_disc", "first", "last", "rate"} {
		_, ok := reg.Aggregate(name)
		require.True(t, ok, name)
	}
	for _, name := range []string{"lower", "upper", "length", "substr", "concat", "trim",
		"split_part", "regexp_match", "regexp_extract", "abs", "round", "floor", "ceil", "sqrt",
		"ln", "exp", "power", "mod", "date_trunc", "date_part", "to_timestamp",
		"to_timestamp_ms", "to_timestamp_us", "epoch_ms", "strptime", "now", "coalesce",
		"nullif", "replace", "starts_with"} {
		_, ok := reg.Scalar(name)
		require.True(t, ok, name)
	}
	for _, e := range reg.Entries() {
		require.NotEmpty(t, e.Args, e.Name)
		require.NotEmpty(t, e.NullRule, e.Name)
		require.NotEmpty(t, e.Summary, e.Name)
	}
}
