package functions

import (
	"math"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/stretchr/testify/require"
)

func TestCast(t *testing.T) {
	ts := tsMicros(2024, 1, 1, 0, 1, 0)
	tests := []struct {
		name     string
		from, to arrow.DataType
		in, want []any
		err      error
		msg      string
	}{
		{"bigint to double", Bigint, Double, anys(int64(1), nil, int64(-3)), anys(1.0, nil, -3.0),
			nil, ""},
		{"double to bigint rounds half to even", Double, Bigint,
			anys(2.5, 3.5, -2.5, 1.4, nil, 1e18), anys(int64(2), int64(4), int64(-2), int64(1),
				nil, int64(1e18)), nil, ""},
		{"double to bigint out of range", Double, Bigint, anys(1.0, 1e19), nil, ErrOverflow,
			"conversion error: cannot cast 10000000000000000000 to BIGINT: integer overflow"},
		{"nan to bigint", Double, Bigint, anys(math.NaN()), nil, ErrConversion,
			"conversion error: cannot cast NaN to BIGINT"},
		{"varchar to bigint", Varchar, Bigint, anys(" 42 ", "-7", "+3", nil),
			anys(int64(42), int64(-7), int64(3), nil), nil, ""},
		{"bad varchar to bigint", Varchar, Bigint, anys("1", "it's"), nil, ErrConversion,
			"conversion error: cannot cast 'it''s' to BIGINT"},
		{"huge varchar to bigint", Varchar, Bigint, anys("99999999999999999999"), nil,
			ErrOverflow, ""},
		{"decimal varchar to bigint", Varchar, Bigint, anys("1.5"), nil, ErrConversion, ""},
		{"varchar to double", Varchar, Double, anys("1.5", "-1e-7", "NaN", "Infinity",
			"-inf", nil), anys(1.5, -1e-7, "NaN", math.Inf(1), math.Inf(-1), nil), nil, ""},
		{"bad varchar to double", Varchar, Double, anys("x1"), nil, ErrConversion,
			"conversion error: cannot cast 'x1' to DOUBLE"},
		{"varchar to boolean", Varchar, Boolean,
			anys("true", "FALSE", " t ", "no", "1", "0", "On", "off", nil),
			anys(true, false, true, false, true, false, true, false, nil), nil, ""},
		{"bad varchar to boolean", Varchar, Boolean, anys("maybe"), nil, ErrConversion,
			"conversion error: cannot cast 'maybe' to BOOLEAN"},
		{"bigint to boolean", Bigint, Boolean, anys(int64(0), int64(-2), nil),
			anys(false, true, nil), nil, ""},
		{"double to boolean", Double, Boolean, anys(0.0, 0.5), anys(false, true), nil, ""},
		{"boolean to bigint", Boolean, Bigint, anys(true, false, nil),
			anys(int64(1), int64(0), nil), nil, ""},
		{"boolean to double", Boolean, Double, anys(true, false), anys(1.0, 0.0), nil, ""},
		{"bigint to varchar", Bigint, Varchar, anys(int64(-12), nil, maxI),
			anys("-12", nil, "9223372036854775807"), nil, ""},
		{"double to varchar", Double, Varchar,
			anys(1e6, 0.25, 1e-7, math.NaN(), math.Inf(-1), nil),
			anys("1000000", "0.25", "1e-07", "NaN", "-Infinity", nil), nil, ""},
		{"boolean to varchar", Boolean, Varchar, anys(true, false), anys("true", "false"),
			nil, ""},
		{"timestamp to varchar", Timestamp, Varchar, anys(ts, nil, ts+493000),
			anys("2024-01-01T00:01:00Z", nil, "2024-01-01T00:01:00.493Z"), nil, ""},
		{"varchar to timestamp", Varchar, Timestamp,
			anys("2024-01-01T00:01:00Z", "2024-01-01 00:01:00", nil),
			anys(ts, ts, nil), nil, ""},
		{"bad varchar to timestamp", Varchar, Timestamp, anys("yesterday"), nil,
			ErrConversion, "conversion error: cannot cast 'yesterday' to TIMESTAMP"},
		{"same type", Varchar, Varchar, anys("a", nil), anys("a", nil), nil, ""},
		{"interval to itself", Interval, Interval, anys(int64(1)), anys(int64(1)), nil, ""},
		{"null to bigint", Null, Bigint, nullRows(2), nullRows(2), nil, ""},
		{"bigint to timestamp", Bigint, Timestamp, anys(int64(1)), nil, ErrSignature,
			"cannot cast BIGINT to TIMESTAMP (use to_timestamp or to_timestamp_ms)"},
		{"timestamp to bigint", Timestamp, Bigint, anys(int64(1)), nil, ErrSignature,
			"cannot cast TIMESTAMP to BIGINT (use epoch_ms)"},
		{"interval to varchar", Interval, Varchar, anys(int64(1)), nil, ErrSignature, ""},
	}
	for _, tc := range tests {
		for _, pad := range testPads {
			t.Run(subName(tc.name, pad), func(t *testing.T) {
				mem := newMem(t)
				a := newArr(t, mem, tc.from, pad, tc.in...)
				defer a.Release()
				got, err := Cast(mem, a, tc.to)
				if tc.err != nil {
					require.ErrorIs(t, err, tc.err)
					if tc.msg != "" {
						require.EqualError(t, err, tc.msg)
					}
					if tc.err == ErrSignature {
						require.ErrorIs(t, CastType(tc.from, tc.to), ErrSignature)
					}
					return
				}
				require.NoError(t, err)
				require.NoError(t, CastType(tc.from, tc.to))
				defer got.Release()
				checkResult(t, got, tc.to, tc.want)
			})
		}
	}
}

func TestCastBadValueUnderNull(t *testing.T) {
	mem := newMem(t)
	raw := newArr(t, mem, Double, 0, math.NaN(), 1.0)
	defer raw.Release()
	a := withNullAt(t, mem, raw, 0)
	defer a.Release()
	got, err := Cast(mem, a, Bigint)
	require.NoError(t, err)
	defer got.Release()
	checkResult(t, got, Bigint, anys(nil, int64(1)))
}

func TestFormatDouble(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0"},
		{math.Copysign(0, -1), "-0"},
		{1, "1"},
		{1e6, "1000000"},
		{0.25, "0.25"},
		{-1.5, "-1.5"},
		{math.Nextafter(0.3, 1), "0.30000000000000004"},
		{1e-6, "0.000001"},
		{1e-7, "1e-07"},
		{1.5e-7, "1.5e-07"},
		{1e20, "100000000000000000000"},
		{1e21, "1e+21"},
		{123456789.125, "123456789.125"},
		{math.MaxFloat64, "1.7976931348623157e+308"},
		{math.SmallestNonzeroFloat64, "5e-324"},
		{math.NaN(), "NaN"},
		{math.Inf(1), "Infinity"},
		{math.Inf(-1), "-Infinity"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			got := FormatDouble(tc.in)
			require.Equal(t, tc.want, got)
			back, err := strconv.ParseFloat(got, 64)
			require.NoError(t, err)
			if !math.IsNaN(tc.in) {
				require.Equal(t, tc.in, back)
			}
		})
	}
}
