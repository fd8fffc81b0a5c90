package functions

import (
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/stretchr/testify/require"
)

// scalarCall is one call of a scalar function in a test: argument types and columns.
type scalarCall struct {
	types []arrow.DataType
	cols  [][]any
}

// callOf is shorthand for a scalarCall.
func callOf(types []arrow.DataType, cols ...[]any) scalarCall {
	return scalarCall{types, cols}
}

// typesOf is shorthand for a list of types.
func typesOf(t ...arrow.DataType) []arrow.DataType { return t }

func TestScalars(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name  string
		fn    string
		in    scalarCall
		wantT arrow.DataType
		want  []any
		err   error
	}{
		{"to_timestamp bigint", "to_timestamp", callOf(typesOf(Bigint),
			anys(int64(0), int64(1_700_000_000), nil, int64(-1))), Timestamp,
			anys(int64(0), int64(1_700_000_000_000_000), nil, int64(-1e6)), nil},
		{"to_timestamp double", "to_timestamp", callOf(typesOf(Double), anys(1.5, -0.25)),
			Timestamp, anys(int64(1_500_000), int64(-250_000)), nil},
		{"to_timestamp overflow", "to_timestamp", callOf(typesOf(Bigint), anys(int64(1e17))),
			nil, nil, ErrOverflow},
		{"to_timestamp nan", "to_timestamp", callOf(typesOf(Double), anys(nan)), nil, nil,
			ErrOverflow},
		{"to_timestamp_ms", "to_timestamp_ms", callOf(typesOf(Bigint), anys(int64(1500))),
			Timestamp, anys(int64(1_500_000)), nil},
		{"to_timestamp_us", "to_timestamp_us", callOf(typesOf(Bigint), anys(int64(7))),
			Timestamp, anys(int64(7)), nil},
		{"epoch_ms of timestamp", "epoch_ms", callOf(typesOf(Timestamp),
			anys(int64(1_500_999), int64(-1), nil)), Bigint, anys(int64(1500), int64(-1), nil),
			nil},
		{"epoch_ms of bigint", "epoch_ms", callOf(typesOf(Bigint), anys(int64(1500))), Timestamp,
			anys(int64(1_500_000)), nil},
		{"epoch", "epoch", callOf(typesOf(Timestamp), anys(int64(1_500_000), nil)), Double,
			anys(1.5, nil), nil},
		{"lower", "lower", callOf(typesOf(Varchar), anys("ABC", "ÀÉ", nil, "mIxEd 1", "")),
			Varchar, anys("abc", "àé", nil, "mixed 1", ""), nil},
		{"upper", "upper", callOf(typesOf(Varchar), anys("abc", "àé", nil, "straße")),
			Varchar, anys("ABC", "ÀÉ", nil, "STRAßE"), nil},
		{"length", "length", callOf(typesOf(Varchar), anys("", "abc", "héllo", nil)), Bigint,
			anys(int64(0), int64(3), int64(5), nil), nil},
		{"abs bigint", "abs", callOf(typesOf(Bigint), anys(int64(-1), int64(2), nil)), Bigint,
			anys(int64(1), int64(2), nil), nil},
		{"abs double", "abs", callOf(typesOf(Double), anys(-1.5, nan)), Double, anys(1.5, "NaN"),
			nil},
		{"abs overflow", "abs", callOf(typesOf(Bigint), anys(minI)), nil, nil, ErrOverflow},
		{"round double", "round", callOf(typesOf(Double), anys(2.5, -2.5, 1.4, nil)), Double,
			anys(3.0, -3.0, 1.0, nil), nil},
		{"round bigint", "round", callOf(typesOf(Bigint), anys(int64(3))), Bigint,
			anys(int64(3)), nil},
		{"round digits", "round", callOf(typesOf(Double, Bigint),
			anys(1.2345, 1250.0, 1.5, 2.0, 1e300), anys(int64(2), int64(-2), int64(400), nil,
				int64(10))), Double, anys(1.23, 1300.0, 1.5, nil, 1e300), nil},
		{"round bigint digits", "round", callOf(typesOf(Bigint, Bigint),
			anys(int64(1250), int64(-1250), int64(1249), int64(7), int64(5), int64(-99)),
			anys(int64(-2), int64(-2), int64(-2), int64(1), int64(-30), int64(-1))), Bigint,
			anys(int64(1300), int64(-1300), int64(1200), int64(7), int64(0), int64(-100)), nil},
		{"round bigint overflow", "round", callOf(typesOf(Bigint, Bigint), anys(maxI),
			anys(int64(-1))), nil, nil, ErrOverflow},
		{"floor", "floor", callOf(typesOf(Double), anys(1.5, -1.5)), Double, anys(1.0, -2.0), nil},
		{"floor bigint", "floor", callOf(typesOf(Bigint), anys(int64(-3))), Bigint,
			anys(int64(-3)), nil},
		{"ceil", "ceil", callOf(typesOf(Double), anys(1.5, -1.5)), Double, anys(2.0, -1.0), nil},
		{"ceiling", "ceiling", callOf(typesOf(Double), anys(0.1)), Double, anys(1.0), nil},
		{"sqrt", "sqrt", callOf(typesOf(Double), anys(4.0, -1.0, nil, nan)), Double,
			anys(2.0, nil, nil, "NaN"), nil},
		{"sqrt bigint", "sqrt", callOf(typesOf(Bigint), anys(int64(9))), Double, anys(3.0), nil},
		{"ln", "ln", callOf(typesOf(Double), anys(1.0, 0.0, -1.0)), Double, anys(0.0, nil, nil),
			nil},
		{"exp", "exp", callOf(typesOf(Bigint), anys(int64(0))), Double, anys(1.0), nil},
		{"power", "power", callOf(typesOf(Double, Bigint), anys(2.0, 4.0, nil),
			anys(int64(10), int64(-1), int64(1))), Double, anys(1024.0, 0.25, nil), nil},
		{"pow", "pow", callOf(typesOf(Double, Double), anys(9.0), anys(0.5)), Double, anys(3.0),
			nil},
		{"mod", "mod", callOf(typesOf(Bigint, Bigint), anys(int64(7), int64(-7), int64(7)),
			anys(int64(3), int64(3), int64(0))), Bigint, anys(int64(1), int64(-1), nil), nil},
		{"mod double", "mod", callOf(typesOf(Double, Bigint), anys(7.5), anys(int64(2))), Double,
			anys(1.5), nil},
		{"coalesce", "coalesce", callOf(typesOf(Bigint, Bigint), anys(nil, int64(1), nil),
			anys(int64(2), int64(3), nil)), Bigint, anys(int64(2), int64(1), nil), nil},
		{"coalesce one", "coalesce", callOf(typesOf(Varchar), anys("a", nil)), Varchar,
			anys("a", nil), nil},
		{"coalesce null first", "coalesce", callOf(typesOf(Null, Varchar, Varchar),
			nullRows(3), anys(nil, "b", nil), anys("x", "y", nil)), Varchar,
			anys("x", "b", nil), nil},
		{"coalesce mixed numeric", "coalesce", callOf(typesOf(Double, Bigint), anys(nil, 0.5),
			anys(int64(2), int64(3))), Double, anys(2.0, 0.5), nil},
		{"coalesce boolean", "coalesce", callOf(typesOf(Boolean, Boolean), anys(nil, false, nil),
			anys(true, true, nil)), Boolean, anys(true, false, nil), nil},
		{"coalesce timestamp", "coalesce", callOf(typesOf(Timestamp, Timestamp), anys(nil),
			anys(int64(5))), Timestamp, anys(int64(5)), nil},
		{"coalesce all null", "coalesce", callOf(typesOf(Null, Null), nullRows(2), nullRows(2)),
			Null, nullRows(2), nil},
		{"coalesce mismatch", "coalesce", callOf(typesOf(Bigint, Varchar), anys(int64(1)),
			anys("a")), nil, nil, ErrSignature},
		{"nullif", "nullif", callOf(typesOf(Bigint, Bigint), anys(int64(1), int64(2), nil),
			anys(int64(1), int64(3), int64(1))), Bigint, anys(nil, int64(2), nil), nil},
		{"nullif nan", "nullif", callOf(typesOf(Double, Bigint), anys(nan, 1.0, 2.0),
			anys(nil, int64(1), int64(3))), Double, anys("NaN", nil, 2.0), nil},
		{"nullif varchar", "nullif", callOf(typesOf(Varchar, Varchar), anys("", "a"),
			anys("", "b")), Varchar, anys(nil, "a"), nil},
		{"nullif null", "nullif", callOf(typesOf(Varchar, Null), anys("a", nil), nullRows(2)),
			Varchar, anys("a", nil), nil},
		{"nullif mismatch", "nullif", callOf(typesOf(Varchar, Bigint), anys("a"), anys(int64(1))),
			nil, nil, ErrSignature},
		{"concat", "concat", callOf(typesOf(Varchar, Bigint, Null, Double),
			anys("a", nil, "c", nil), anys(int64(1), int64(2), nil, nil), nullRows(4),
			anys(0.5, nil, nil, nil)), Varchar, anys("a10.5", "2", "c", ""), nil},
		{"concat one", "concat", callOf(typesOf(Varchar), anys("a", nil)), Varchar, anys("a", ""),
			nil},
		{"lower of null", "lower", callOf(typesOf(Null), nullRows(2)), Varchar, nullRows(2), nil},
		{"abs of null", "abs", callOf(typesOf(Null), nullRows(1)), Double, nullRows(1), nil},
		{"power of null", "power", callOf(typesOf(Double, Null), anys(1.0), nullRows(1)), Double,
			nullRows(1), nil},
		{"lower of bigint", "lower", callOf(typesOf(Bigint), anys(int64(1))), nil, nil,
			ErrSignature},
		{"round of three", "round", callOf(typesOf(Double, Bigint, Bigint), anys(1.0),
			anys(int64(1)), anys(int64(1))), nil, nil, ErrSignature},
		{"to_timestamp of varchar", "to_timestamp", callOf(typesOf(Varchar), anys("1")), nil, nil,
			ErrSignature},
	}
	reg := NewRegistry()
	for _, tc := range tests {
		for _, pad := range testPads {
			t.Run(subName(tc.name, pad), func(t *testing.T) {
				mem := newMem(t)
				fn, ok := reg.Scalar(tc.fn)
				require.True(t, ok, tc.fn)
				rt, rerr := fn.Resolve(tc.in.types)
				n := len(tc.in.cols[0])
				cols := make([]arrow.Array, len(tc.in.cols))
				for i, c := range tc.in.cols {
					cols[i] = newArr(t, mem, tc.in.types[i], pad, c...)
					defer cols[i].Release()
				}
				got, err := fn.Eval(mem, cols, n)
				if tc.err != nil {
					require.ErrorIs(t, err, tc.err)
					if tc.err == ErrSignature {
						require.ErrorIs(t, rerr, ErrSignature)
					}
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

func TestScalarResolveMessages(t *testing.T) {
	tests := []struct {
		fn   string
		args []arrow.DataType
		want string
	}{
		{"lower", typesOf(Bigint), "lower expects a VARCHAR argument, got BIGINT"},
		{"abs", typesOf(Varchar), "abs expects a numeric argument, got VARCHAR"},
		{"abs", typesOf(), "abs expects one argument, got 0"},
		{"round", typesOf(Double, Double), "round expects BIGINT digits, got DOUBLE"},
		{"round", typesOf(Double, Bigint, Bigint), "round expects 1 to 2 arguments, got 3"},
		{"power", typesOf(Double), "power expects 2 arguments, got 1"},
		{"coalesce", typesOf(), "coalesce expects at least 1 argument(s), got 0"},
		{"coalesce", typesOf(Bigint, Varchar, Timestamp),
			"coalesce expects arguments of one type, got BIGINT, VARCHAR and TIMESTAMP"},
		{"nullif", typesOf(Timestamp, Bigint),
			"nullif expects comparable arguments, got TIMESTAMP and BIGINT"},
		{"epoch_ms", typesOf(Double), "epoch_ms expects TIMESTAMP or BIGINT, got DOUBLE"},
		{"concat", typesOf(Interval), "concat cannot write INTERVAL as text"},
	}
	reg := NewRegistry()
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			fn, ok := reg.Scalar(tc.fn)
			require.True(t, ok)
			_, err := fn.Resolve(tc.args)
			require.ErrorIs(t, err, ErrSignature)
			require.EqualError(t, err, tc.want)
		})
	}
}

func TestRegistryEntries(t *testing.T) {
	reg := NewRegistry()
	entries := reg.Entries()
	names := map[string]bool{}
	for _, e := range entries {
		require.NotEmpty(t, e.Args, e.Name)
		require.NotEmpty(t, e.NullRule, e.Name)
		require.NotEmpty(t, e.Summary, e.Name)
		names[e.Name] = true
	}
	for _, want := range []string{"count", "sum", "avg", "min", "max", "to_timestamp",
		"to_timestamp_ms", "to_timestamp_us", "epoch_ms", "epoch", "lower", "upper", "length",
		"abs", "round", "floor", "ceil", "sqrt", "ln", "exp", "power", "mod", "coalesce",
		"nullif", "concat"} {
		require.True(t, names[want], want)
	}
	_, ok := reg.Scalar("LOWER")
	require.True(t, ok)
}
