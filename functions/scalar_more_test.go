package functions

import (
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/stretchr/testify/require"
)

// scalarCase is one call of a scalar function: its arguments, and the result or the error
// it gives. Every case runs on inputs sliced at each of testPads.
type scalarCase struct {
	name  string
	fn    string
	in    scalarCall
	wantT arrow.DataType
	want  []any
	err   error
}

// runScalarCases evaluates each case with the checked allocator.
func runScalarCases(t *testing.T, tests []scalarCase) {
	reg := NewRegistry()
	for _, tc := range tests {
		for _, pad := range testPads {
			t.Run(subName(tc.name, pad), func(t *testing.T) {
				mem := newMem(t)
				fn, ok := reg.Scalar(tc.fn)
				require.True(t, ok, tc.fn)
				rt, rerr := fn.Resolve(tc.in.types)
				n := 0
				if len(tc.in.cols) > 0 {
					n = len(tc.in.cols[0])
				}
				args := make([]arrow.Array, len(tc.in.cols))
				for i, c := range tc.in.cols {
					args[i] = newArr(t, mem, tc.in.types[i], pad, c...)
					defer args[i].Release()
				}
				got, err := fn.Eval(mem, args, n)
				if tc.err != nil {
					require.ErrorIs(t, err, tc.err)
					return
				}
				require.NoError(t, rerr)
				require.NoError(t, err)
				defer got.Release()
				require.Equal(t, TypeName(tc.wantT), TypeName(rt))
				checkResult(t, got, tc.wantT, tc.want)
			})
		}
	}
}

func TestTextFunctions(t *testing.T) {
	i64 := func(v int64) any { return v }
	runScalarCases(t, []scalarCase{
		{"substr", "substr", callOf(typesOf(Varchar, Bigint, Bigint),
			anys("hello", "hello", "hello", "héllo", nil, "hello", "abc"),
			anys(i64(2), i64(0), i64(-3), i64(2), i64(1), nil, i64(5)),
			anys(i64(3), i64(2), i64(2), i64(2), i64(1), i64(1), i64(1))), Varchar,
			anys("ell", "h", "ll", "él", nil, nil, ""), nil},
		{"substring to the end", "substring", callOf(typesOf(Varchar, Bigint),
			anys("hello", "日本語"), anys(i64(3), i64(2))), Varchar, anys("llo", "本語"), nil},
		{"substr empty", "substr", callOf(typesOf(Varchar, Bigint), anys(), anys()), Varchar,
			[]any{}, nil},
		{"substr null type", "substr", callOf(typesOf(Null, Bigint), nullRows(1),
			anys(i64(1))), Varchar, nullRows(1), nil},
		{"substr negative length", "substr", callOf(typesOf(Varchar, Bigint, Bigint),
			anys("a"), anys(i64(1)), anys(i64(-1))), nil, nil, ErrInvalidArgument},
		{"split_part", "split_part", callOf(typesOf(Varchar, Varchar, Bigint),
			anys("a,b,c", "a,b,c", "a,b,c", "a,b,c", "a,,c", "abc", nil, "a::b"),
			anys(",", ",", ",", ",", ",", "", ",", "::"),
			anys(i64(1), i64(3), i64(4), i64(-1), i64(2), i64(1), i64(1), i64(2))), Varchar,
			anys("a", "c", "", "c", "", "abc", nil, "b"), nil},
		{"split_part from the end", "split_part", callOf(typesOf(Varchar, Varchar, Bigint),
			anys("a,b,c", "a,b,c"), anys(",", ","), anys(i64(-3), i64(-4))), Varchar,
			anys("a", ""), nil},
		{"split_part zero", "split_part", callOf(typesOf(Varchar, Varchar, Bigint),
			anys("a"), anys(","), anys(i64(0))), nil, nil, ErrInvalidArgument},
		{"trim", "trim", callOf(typesOf(Varchar), anys("  a b  ", "", nil, "\ta ")), Varchar,
			anys("a b", "", nil, "\ta"), nil},
		{"trim chars", "trim", callOf(typesOf(Varchar, Varchar), anys("xxaxyx", "a"),
			anys("xy", nil)), Varchar, anys("a", nil), nil},
		{"ltrim", "ltrim", callOf(typesOf(Varchar), anys("  a  ")), Varchar, anys("a  "), nil},
		{"rtrim", "rtrim", callOf(typesOf(Varchar, Varchar), anys("a..."), anys(".")), Varchar,
			anys("a"), nil},
		{"replace", "replace", callOf(typesOf(Varchar, Varchar, Varchar),
			anys("a-b-c", "abc", "aaa", nil), anys("-", "", "aa", "a"), anys("+", "x", "b", "b")),
			Varchar, anys("a+b+c", "abc", "ba", nil), nil},
		{"starts_with", "starts_with", callOf(typesOf(Varchar, Varchar),
			anys("/images/a.gif", "/x", "", nil), anys("/images", "/images", "", "a")), Boolean,
			anys(true, false, true, nil), nil},
		{"ends_with", "ends_with", callOf(typesOf(Varchar, Varchar), anys("a.gif", "a.jpg"),
			anys(".gif", ".gif")), Boolean, anys(true, false), nil},
		{"contains", "contains", callOf(typesOf(Varchar, Varchar), anys("shuttle", "sts"),
			anys("utt", nil)), Boolean, anys(true, nil), nil},
		{"contains null type", "contains", callOf(typesOf(Varchar, Null), anys("a"),
			nullRows(1)), Boolean, nullRows(1), nil},
		{"strpos", "strpos", callOf(typesOf(Varchar, Varchar), anys("héllo", "abc", "abc"),
			anys("l", "d", "")), Bigint, anys(i64(3), i64(0), i64(1)), nil},
		{"left", "left", callOf(typesOf(Varchar, Bigint), anys("abcde", "abcde", "ab", nil),
			anys(i64(2), i64(-2), i64(5), i64(1))), Varchar, anys("ab", "abc", "ab", nil), nil},
		{"right", "right", callOf(typesOf(Varchar, Bigint), anys("abcde", "abcde", "ab"),
			anys(i64(2), i64(-2), i64(5))), Varchar, anys("de", "cde", "ab"), nil},
		{"left of unicode", "left", callOf(typesOf(Varchar, Bigint), anys("日本語"),
			anys(i64(2))), Varchar, anys("日本"), nil},
		{"substr of bigint", "substr", callOf(typesOf(Bigint, Bigint), anys(i64(1)),
			anys(i64(1))), nil, nil, ErrSignature},
	})
}

func TestRegexpFunctions(t *testing.T) {
	runScalarCases(t, []scalarCase{
		{"regexp_match", "regexp_match", callOf(typesOf(Varchar, Varchar),
			anys("GET /a.gif", "POST /b", nil, "x"), anys(`\.gif$`, `\.gif$`, "a", "(?i)X")),
			Boolean, anys(true, false, nil, true), nil},
		{"regexp_matches", "regexp_matches", callOf(typesOf(Varchar, Varchar), anys("abc"),
			anys("b")), Boolean, anys(true), nil},
		{"regexp_match empty", "regexp_match", callOf(typesOf(Varchar, Varchar), anys(),
			anys()), Boolean, []any{}, nil},
		{"regexp_match bad pattern", "regexp_match", callOf(typesOf(Varchar, Varchar),
			anys("a"), anys("(")), nil, nil, ErrInvalidArgument},
		{"regexp_extract", "regexp_extract", callOf(typesOf(Varchar, Varchar),
			anys("GET /a/b HTTP/1.0", "none", nil), anys(`/\w+`, `\d+`, "a")), Varchar,
			anys("/a", "", nil), nil},
		{"regexp_extract group", "regexp_extract", callOf(typesOf(Varchar, Varchar, Bigint),
			anys("GET /a/b HTTP/1.0", "x=1", "x="), anys(`^(\w+) (\S+)`, `x=(\d)?`, `x=(\d)?`),
			anys(int64(2), int64(1), int64(1))), Varchar, anys("/a/b", "1", ""), nil},
		{"regexp_extract no group", "regexp_extract", callOf(typesOf(Varchar, Varchar, Bigint),
			anys("a"), anys("a"), anys(int64(1))), nil, nil, ErrInvalidArgument},
		{"regexp_replace", "regexp_replace", callOf(typesOf(Varchar, Varchar, Varchar),
			anys("a1b22", "none", nil), anys(`\d+`, `\d`, "a"), anys("#", "#", "b")), Varchar,
			anys("a#b22", "none", nil), nil},
		{"regexp_replace global", "regexp_replace",
			callOf(typesOf(Varchar, Varchar, Varchar, Varchar), anys("a1b22", "2024-03-01", "AbA"),
				anys(`\d+`, `(\d+)-(\d+)-(\d+)`, "a"), anys("<\\0>", `\3/\2/\1 $1`, "x"),
				anys("g", "", "gi")), Varchar, anys("a<1>b<22>", "01/03/2024 $1", "xbx"), nil},
		{"regexp_replace bad option", "regexp_replace",
			callOf(typesOf(Varchar, Varchar, Varchar, Varchar), anys("a"), anys("a"), anys("b"),
				anys("q")), nil, nil, ErrInvalidArgument},
	})
}

func TestDatetimeFunctions(t *testing.T) {
	// 2023-11-14T22:15:23.456789Z, a Tuesday in ISO week 46.
	ts := tsMicros(2023, 11, 14, 22, 15, 23) + 456789
	before := tsMicros(1969, 12, 31, 23, 59, 59) + 500000
	i64 := func(v ...int64) []any {
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = x
		}
		return out
	}
	repeat := func(v any, n int) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = v
		}
		return out
	}
	units := anys("microsecond", "milliseconds", "second", "minute", "HOUR", "day", "week",
		"month", "quarter", "year", "decade", "century", "millennium")
	runScalarCases(t, []scalarCase{
		{"date_trunc", "date_trunc", callOf(typesOf(Varchar, Timestamp), units,
			repeat(ts, len(units))), Timestamp, i64(ts, ts-789,
			tsMicros(2023, 11, 14, 22, 15, 23), tsMicros(2023, 11, 14, 22, 15, 0),
			tsMicros(2023, 11, 14, 22, 0, 0), tsMicros(2023, 11, 14, 0, 0, 0),
			tsMicros(2023, 11, 13, 0, 0, 0), tsMicros(2023, 11, 1, 0, 0, 0),
			tsMicros(2023, 10, 1, 0, 0, 0), tsMicros(2023, 1, 1, 0, 0, 0),
			tsMicros(2020, 1, 1, 0, 0, 0), tsMicros(2001, 1, 1, 0, 0, 0),
			tsMicros(2001, 1, 1, 0, 0, 0)), nil},
		{"date_trunc before 1970", "date_trunc", callOf(typesOf(Varchar, Timestamp),
			anys("second", "day", "week", nil), anys(before, before, before, before)), Timestamp,
			anys(before-500000, tsMicros(1969, 12, 31, 0, 0, 0), tsMicros(1969, 12, 29, 0, 0, 0),
				nil), nil},
		{"date_trunc bad unit", "date_trunc", callOf(typesOf(Varchar, Timestamp),
			anys("fortnight"), anys(ts)), nil, nil, ErrInvalidArgument},
		{"date_part", "date_part", callOf(typesOf(Varchar, Timestamp),
			anys("year", "quarter", "month", "week", "day", "dow", "isodow", "doy", "hour",
				"minute", "second", "ms", "microseconds", "epoch", "isoyear", "decade",
				"century", "millennium", nil),
			repeat(ts, 19)), Bigint, append(i64(2023, 4, 11, 46, 14, 2, 2, 318, 22, 15, 23,
			23456, 23456789, 1700000123, 2023, 202, 21, 3), nil), nil},
		{"date_part before 1970", "date_part", callOf(typesOf(Varchar, Timestamp),
			anys("year", "second", "epoch", "dayofweek"), repeat(before, 4)), Bigint,
			i64(1969, 59, -1, 3), nil},
		{"date_part bad part", "date_part", callOf(typesOf(Varchar, Timestamp), anys("x"),
			anys(ts)), nil, nil, ErrInvalidArgument},
		{"date_part null type", "date_part", callOf(typesOf(Null, Timestamp), nullRows(1),
			anys(ts)), Bigint, nullRows(1), nil},
		{"hour", "hour", callOf(typesOf(Timestamp), anys(ts, nil)), Bigint, anys(int64(22), nil),
			nil},
		{"week of new year", "week", callOf(typesOf(Timestamp),
			anys(tsMicros(2021, 1, 3, 0, 0, 0), tsMicros(2020, 12, 31, 0, 0, 0),
				tsMicros(2024, 12, 30, 0, 0, 0))), Bigint, i64(53, 53, 1), nil},
		{"dayofyear", "dayofyear", callOf(typesOf(Timestamp),
			anys(tsMicros(2024, 12, 31, 1, 0, 0))), Bigint, i64(366), nil},
		{"year empty", "year", callOf(typesOf(Timestamp), anys()), Bigint, []any{}, nil},
		{"strptime", "strptime", callOf(typesOf(Varchar, Varchar),
			anys("2023-11-14 22:15:23.456789", "14/Nov/2023:22:15:23 +0100", "1700000123",
				"10:30 PM", "Tuesday, 14 November 23", "2023-318", nil),
			anys("%Y-%m-%d %H:%M:%S.%f", "%d/%b/%Y:%H:%M:%S %z", "%s", "%I:%M %p",
				"%A, %d %B %y", "%Y-%j", "%Y")), Timestamp,
			anys(ts, tsMicros(2023, 11, 14, 21, 15, 23), tsMicros(2023, 11, 14, 22, 15, 23),
				tsMicros(1900, 1, 1, 22, 30, 0), tsMicros(2023, 11, 14, 0, 0, 0),
				tsMicros(2023, 11, 14, 0, 0, 0), nil), nil},
		{"strptime spaces", "strptime", callOf(typesOf(Varchar, Varchar),
			anys("2023-11-14   22:15", "2023-11-1422:15"), anys("%F %R", "%F %R")), Timestamp,
			anys(tsMicros(2023, 11, 14, 22, 15, 0), tsMicros(2023, 11, 14, 22, 15, 0)), nil},
		{"strptime mismatch", "strptime", callOf(typesOf(Varchar, Varchar), anys("2023-02-29"),
			anys("%Y-%m-%d")), nil, nil, ErrConversion},
		{"strptime bad format", "strptime", callOf(typesOf(Varchar, Varchar), anys("x"),
			anys("%Q")), nil, nil, ErrInvalidArgument},
		{"try_strptime", "try_strptime", callOf(typesOf(Varchar, Varchar),
			anys("2023-11-14", "2023-11-14x", "13:00 PM", "25:00", ""),
			anys("%Y-%m-%d", "%Y-%m-%d", "%I:%M %p", "%H:%M", "%Y")), Timestamp,
			anys(tsMicros(2023, 11, 14, 0, 0, 0), nil, nil, nil, nil), nil},
		{"strftime", "strftime", callOf(typesOf(Timestamp, Varchar), anys(ts, ts, before, nil),
			anys("%Y-%m-%dT%H:%M:%S.%fZ", "%a %b %e %I%p %j %u %w %V %G %g %z %Z %%",
				"%F %T %s %y", "%Y")), Varchar,
			anys("2023-11-14T22:15:23.456789Z", "Tue Nov 14 10PM 318 2 2 46 2023 456 +0000 UTC %",
				"1969-12-31 23:59:59 -1 69", nil), nil},
		{"strftime bad format", "strftime", callOf(typesOf(Timestamp, Varchar), anys(ts),
			anys("%")), nil, nil, ErrInvalidArgument},
	})
}

func TestNow(t *testing.T) {
	mem := newMem(t)
	fn, ok := NewRegistry().Scalar("now")
	require.True(t, ok)
	rt, err := fn.Resolve(nil)
	require.NoError(t, err)
	require.Equal(t, "TIMESTAMP", TypeName(rt))
	before := time.Now().UnixMicro()
	got, err := fn.Eval(mem, nil, 3)
	require.NoError(t, err)
	defer got.Release()
	vals := goValues(t, got)
	require.Len(t, vals, 3)
	require.Equal(t, vals[0], vals[2])
	require.GreaterOrEqual(t, vals[0].(int64), before)
	require.LessOrEqual(t, vals[0].(int64), time.Now().UnixMicro())
	_, err = fn.Resolve(typesOf(Bigint))
	require.ErrorIs(t, err, ErrSignature)
}
