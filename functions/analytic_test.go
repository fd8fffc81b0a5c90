package functions

import (
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/stretchr/testify/require"
)

// TestAnalyticEntries checks that every analytic function of issue 5 is an entry of kind
// analytic with a signature that shows its OVER clause, and that aggregates keep their
// entries beside analytic functions of the same name.
func TestAnalyticEntries(t *testing.T) {
	reg := NewRegistry()
	for _, name := range []string{"avg", "sum", "count", "min", "max", "stddev", "lag", "lead",
		"row_number", "rank", "ema", "zscore", "rate"} {
		a, ok := reg.Analytic(name)
		require.True(t, ok, name)
		require.Contains(t, a.Args, "OVER", name)
		require.Equal(t, a.Kind == FrameFunction, a.Framed, name)
	}
	_, ok := reg.Analytic("ROW_NUMBER")
	require.True(t, ok, "names are case-insensitive")
	kinds := map[string][]string{}
	for _, e := range reg.Entries() {
		kinds[e.Name] = append(kinds[e.Name], e.Kind)
	}
	require.Equal(t, []string{"aggregate", "analytic"}, kinds["avg"])
	require.Equal(t, []string{"analytic"}, kinds["lead"])
	names := reg.Names()
	require.Contains(t, names, "zscore")
	for i := 1; i < len(names); i++ {
		require.Less(t, names[i-1], names[i], "each name once, sorted")
	}
}

// frameOf folds values into FrameStats; nil stands for NULL, which the operator never adds.
func frameOf(vals ...any) *FrameStats {
	var f FrameStats
	for _, v := range vals {
		if x, ok := v.(float64); ok {
			f.Add(x)
		}
	}
	return &f
}

// TestFrameFunctions checks every frame function on empty frames, frames of NULLs, single
// values, several values and NaN, each expected value worked out by hand from the
// definitions.
func TestFrameFunctions(t *testing.T) {
	nan := math.NaN()
	sd123 := 1.0 // the sample standard deviation of 1, 2, 3
	tests := []struct {
		fn    string
		frame []any   // the frame's values
		v     any     // the current row's value
		secs  float64 // the time the frame covers
		want  any     // nil: NULL
	}{
		{"count", nil, nil, 0, 0.0},
		{"count", []any{nil, nil}, nil, 0, 0.0},
		{"count", []any{1.0, nil, nan}, nil, 0, 2.0},
		{"sum", nil, nil, 0, nil},
		{"sum", []any{nil}, nil, 0, nil},
		{"sum", []any{4.0}, 4.0, 0, 4.0},
		{"sum", []any{1.0, nil, 2.5}, nil, 0, 3.5},
		{"sum", []any{1.0, nan}, nil, 0, nan},
		{"avg", nil, nil, 0, nil},
		{"avg", []any{nil}, nil, 0, nil},
		{"avg", []any{4.0}, 4.0, 0, 4.0},
		{"avg", []any{1.0, nil, 2.0}, nil, 0, 1.5},
		{"avg", []any{1.0, nan}, nil, 0, nan},
		{"min", nil, nil, 0, nil},
		{"min", []any{nil}, nil, 0, nil},
		{"min", []any{4.0}, nil, 0, 4.0},
		{"min", []any{3.0, nil, -2.0, 5.0}, nil, 0, -2.0},
		{"min", []any{nan, 3.0, 1.0}, nil, 0, 1.0},
		{"min", []any{nan, nan}, nil, 0, nan},
		{"max", nil, nil, 0, nil},
		{"max", []any{4.0}, nil, 0, 4.0},
		{"max", []any{3.0, nil, -2.0, 5.0}, nil, 0, 5.0},
		{"max", []any{1.0, nan, 3.0}, nil, 0, nan},
		{"stddev", nil, nil, 0, nil},
		{"stddev", []any{4.0}, nil, 0, nil},
		{"stddev", []any{4.0, nil}, nil, 0, nil},
		{"stddev", []any{1.0, 2.0, nil, 3.0}, nil, 0, sd123},
		{"stddev", []any{5.0, 5.0}, nil, 0, 0.0},
		{"stddev", []any{1.0, nan}, nil, 0, nan},
		{"zscore", nil, 1.0, 0, nil},
		{"zscore", []any{1.0}, 1.0, 0, nil},
		{"zscore", []any{1.0, 2.0, 3.0}, nil, 0, nil},
		{"zscore", []any{1.0, 2.0, 3.0}, 3.0, 0, 1.0},
		{"zscore", []any{1.0, 2.0, 3.0}, -1.0, 0, -3.0},
		{"zscore", []any{5.0, 5.0}, 5.0, 0, nil},
		{"zscore", []any{1.0, 2.0, 3.0}, nan, 0, nan},
		{"zscore", []any{1.0, nan, 3.0}, 3.0, 0, nan},
		{"rate", nil, nil, 10, nil},
		{"rate", []any{nil}, nil, 10, nil},
		{"rate", []any{4.0}, nil, 10, 0.4},
		{"rate", []any{4.0, nil, 6.0}, nil, 5, 2.0},
		{"rate", []any{4.0}, nil, 0, nil},
		{"rate", []any{4.0, nan}, nil, 10, nan},
	}
	reg := NewRegistry()
	for _, tc := range tests {
		a, ok := reg.Analytic(tc.fn)
		require.True(t, ok)
		f := frameOf(tc.frame...)
		f.Seconds = tc.secs
		v, vok := tc.v.(float64)
		got, valid := a.Value(f, v, vok)
		msg := []any{"%s over %v, v = %v", tc.fn, tc.frame, tc.v}
		if tc.want == nil {
			require.False(t, valid, msg...)
			continue
		}
		require.True(t, valid, msg...)
		want := tc.want.(float64)
		if math.IsNaN(want) {
			require.True(t, math.IsNaN(got), msg...)
			continue
		}
		require.InDelta(t, want, got, 1e-12, msg...)
	}
}

// TestAnalyticResolve checks the result types and the argument errors of analytic calls.
func TestAnalyticResolve(t *testing.T) {
	reg := NewRegistry()
	resolve := func(name string, args ...arrow.DataType) (arrow.DataType, error) {
		a, ok := reg.Analytic(name)
		require.True(t, ok, name)
		return a.Resolve(args)
	}
	for _, tc := range []struct {
		name string
		args []arrow.DataType
		want arrow.DataType
	}{
		{"avg", []arrow.DataType{Bigint}, Double},
		{"sum", []arrow.DataType{Null}, Double},
		{"count", nil, Bigint},
		{"count", []arrow.DataType{Varchar}, Bigint},
		{"rate", nil, Double},
		{"row_number", nil, Bigint},
		{"rank", nil, Bigint},
		{"ema", []arrow.DataType{Bigint, Double}, Double},
		{"lag", []arrow.DataType{Varchar}, Varchar},
		{"lag", []arrow.DataType{Timestamp, Bigint, Null}, Timestamp},
		{"lead", []arrow.DataType{Bigint, Bigint, Double}, Double},
		{"lead", []arrow.DataType{Null, Bigint, Varchar}, Varchar},
	} {
		got, err := resolve(tc.name, tc.args...)
		require.NoError(t, err, tc.name)
		require.True(t, arrow.TypeEqual(tc.want, got), "%s: %s", tc.name, got)
	}
	for _, tc := range []struct {
		name string
		args []arrow.DataType
		msg  string
	}{
		{"avg", []arrow.DataType{Varchar}, "avg expects numeric arguments, got VARCHAR"},
		{"stddev", nil, "stddev expects one argument, got 0"},
		{"lag", []arrow.DataType{Bigint, Double}, "lag expects a BIGINT offset, got DOUBLE"},
		{"lead", []arrow.DataType{Bigint, Bigint, Varchar},
			"lead: default of type VARCHAR for a value of type BIGINT"},
		{"row_number", []arrow.DataType{Bigint}, "row_number expects 0 arguments, got 1"},
	} {
		_, err := resolve(tc.name, tc.args...)
		require.ErrorIs(t, err, ErrSignature, tc.name)
		require.EqualError(t, err, tc.msg)
	}
}
