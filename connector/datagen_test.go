package connector

import (
	"context"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"
)

func datagenFields(t *testing.T, props map[string]map[string]string) map[string]DatagenField {
	t.Helper()
	out := map[string]DatagenField{}
	for col, ps := range props {
		var f DatagenField
		for k, v := range ps {
			require.NoError(t, f.Set(k, v))
		}
		out[col] = f
	}
	return out
}

func readDatagen(t *testing.T, opts DatagenOptions, schema ...string) srcRead {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	src, err := NewDatagenSource(opts, srcSchema(t, schema...), mem)
	require.NoError(t, err)
	got := srcReadAll(t, src, mem)
	require.NoError(t, got.err)
	return got
}

func TestDatagenDefaults(t *testing.T) {
	got := readDatagen(t, DatagenOptions{Rows: 10_000, Seed: 1, BatchSize: 3000},
		"n", "BIGINT", "x", "DOUBLE", "s", "VARCHAR", "b", "BOOLEAN", "t", "TIMESTAMP")
	require.Len(t, got.rows, 10_000)
	require.Equal(t, []int{3000, 3000, 3000, 1000}, got.batches)
	trues := 0
	for i, r := range got.rows {
		require.True(t, r[0].(int64) >= 0 && r[0].(int64) <= 1000)
		require.True(t, r[1].(float64) >= 0 && r[1].(float64) < 1)
		require.Regexp(t, `^[a-z]{10}$`, r[2])
		if r[3].(bool) {
			trues++
		}
		if i == 1 {
			require.Equal(t, "2024-01-01T00:00:00.0001Z", r[4], "10,000 rows a second")
		}
	}
	require.InDelta(t, 5000, trues, 300)
	require.Equal(t, "2024-01-01T00:00:00.9999Z", got.rows[9999][4])

	again := readDatagen(t, DatagenOptions{Rows: 10_000, Seed: 1},
		"n", "BIGINT", "x", "DOUBLE", "s", "VARCHAR", "b", "BOOLEAN", "t", "TIMESTAMP")
	require.Equal(t, got.rows, again.rows, "the same seed, the same rows")
	other := readDatagen(t, DatagenOptions{Rows: 10_000, Seed: 2},
		"n", "BIGINT", "x", "DOUBLE", "s", "VARCHAR", "b", "BOOLEAN", "t", "TIMESTAMP")
	require.NotEqual(t, got.rows, other.rows)
}

func TestDatagenFields(t *testing.T) {
	fields := datagenFields(t, map[string]map[string]string{
		"id":    {"kind": "sequence", "min": "10"},
		"code":  {"kind": "sequence", "values": "[a, 'b', c]"},
		"pick":  {"values": "x,y"},
		"v":     {"min": "-5", "max": "-3"},
		"f":     {"kind": "sequence", "min": "0.5"},
		"s":     {"length": "3"},
		"seq":   {"kind": "sequence", "min": "7"},
		"flag":  {"kind": "sequence"},
		"when":  {"kind": "random", "min": "2024-06-01T00:00:00Z", "max": "2024-06-01 00:00:01"},
		"price": {"values": "[1.5, 2.5]"},
	})
	got := readDatagen(t, DatagenOptions{Rows: 6, Fields: fields}, "id", "BIGINT",
		"code", "VARCHAR", "pick", "VARCHAR", "v", "BIGINT", "f", "DOUBLE", "s", "VARCHAR",
		"seq", "VARCHAR", "flag", "BOOLEAN", "when", "TIMESTAMP", "price", "DOUBLE")
	require.Len(t, got.rows, 6)
	for i, r := range got.rows {
		require.Equal(t, int64(10+i), r[0])
		require.Equal(t, []string{"a", "b", "c"}[i%3], r[1])
		require.Contains(t, []any{"x", "y"}, r[2])
		require.True(t, r[3].(int64) >= -5 && r[3].(int64) <= -3, r[3])
		require.Equal(t, 0.5+float64(i), r[4])
		require.Regexp(t, `^[a-z]{3}$`, r[5])
		require.Equal(t, strconv.Itoa(7+i), r[6])
		require.Equal(t, i%2 == 1, r[7])
		require.Regexp(t, `^2024-06-01T00:00:0[01]`, r[8])
		require.Contains(t, []any{1.5, 2.5}, r[9])
	}
}

func TestDatagenSequenceEnds(t *testing.T) {
	fields := datagenFields(t, map[string]map[string]string{
		"id": {"kind": "sequence", "min": "1", "max": "5"},
	})
	got := readDatagen(t, DatagenOptions{Fields: fields}, "id", "BIGINT")
	require.Equal(t, [][]any{{int64(1)}, {int64(2)}, {int64(3)}, {int64(4)}, {int64(5)}},
		got.rows, "a sequence with a max ends the stream")

	fields = datagenFields(t, map[string]map[string]string{
		"t": {"min": "2024-01-01 00:00:00", "max": "2024-01-01 00:00:02"},
	})
	got = readDatagen(t, DatagenOptions{Fields: fields, Rate: 2}, "t", "TIMESTAMP")
	require.Equal(t, [][]any{{"2024-01-01T00:00:00Z"}, {"2024-01-01T00:00:00.5Z"},
		{"2024-01-01T00:00:01Z"}, {"2024-01-01T00:00:01.5Z"}, {"2024-01-01T00:00:02Z"}},
		got.rows)
}

func TestDatagenErrors(t *testing.T) {
	var f DatagenField
	require.ErrorContains(t, f.Set("kind", "zipf"), "kind must be random or sequence")
	require.ErrorContains(t, f.Set("length", "-1"), "length must be a whole number")
	require.ErrorContains(t, f.Set("values", "[]"), "values needs at least one value")
	require.ErrorContains(t, f.Set("rate", "1"), `unknown property "rate"`)

	for _, tt := range []struct {
		opts   DatagenOptions
		schema []string
		err    string
	}{
		{DatagenOptions{Rows: -1}, []string{"a", "BIGINT"}, "rows must not be negative"},
		{DatagenOptions{Rate: -1}, []string{"a", "BIGINT"}, "rate must be from 1 to 1e9"},
		{DatagenOptions{Fields: map[string]DatagenField{"b": {}}}, []string{"a", "BIGINT"},
			`options for "b", which is not a column`},
		{DatagenOptions{Fields: map[string]DatagenField{"a": {Min: "x"}}},
			[]string{"a", "BIGINT"}, `column "a": "x" is not a BIGINT`},
		{DatagenOptions{Fields: map[string]DatagenField{"a": {Min: "3", Max: "1"}}},
			[]string{"a", "DOUBLE"}, `min 3 is above max 1`},
		{DatagenOptions{Fields: map[string]DatagenField{"a": {Values: []string{"1", "z"}}}},
			[]string{"a", "BIGINT"}, `value "z" is not a BIGINT`},
		{DatagenOptions{}, []string{"a", "INTERVAL"}, "unsupported: type"},
	} {
		_, err := NewDatagenSource(tt.opts, srcSchema(t, tt.schema...), nil)
		require.ErrorContains(t, err, tt.err)
	}
}

func TestDatagenUnboundedCancel(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	src, err := NewDatagenSource(DatagenOptions{}, srcSchema(t, "a", "VARCHAR"), mem)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	require.NoError(t, src.Open(ctx))
	for i := range 5 {
		b, err := src.Next(ctx)
		require.NoError(t, err, strconv.Itoa(i))
		require.Equal(t, int64(4096), b.NumRows())
		b.Release()
	}
	cancel()
	_, err = src.Next(ctx)
	require.ErrorIs(t, err, context.Canceled)
	require.NoError(t, src.Close())
}
