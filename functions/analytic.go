package functions

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"
)

// AnalyticKind says how an analytic function computes the value of a row.
type AnalyticKind int

// The kinds of analytic function.
const (
	// FrameFunction folds the non-NULL values of the row's frame into FrameStats, and its
	// Value computes the result from them (avg, sum, count, min, max, stddev, zscore, rate).
	FrameFunction AnalyticKind = iota
	// RowNumber is the row's position in its partition, from 1.
	RowNumber
	// Rank is the position of the first row of the row's peers (rows with equal ORDER BY
	// values).
	Rank
	// Lag is a value of the row Offset rows before in the partition.
	Lag
	// Lead is a value of the row Offset rows after in the partition.
	Lead
	// EMA is an exponential moving average over every earlier row of the partition.
	EMA
)

// Analytic is a function computed with OVER (PARTITION BY ... ORDER BY ... [frame]): one value
// for every row, from the rows of its partition around it. The operator that runs it keeps
// the partitions and their frames; the functions that fold a frame compute their value here.
type Analytic struct {
	Name string
	// Args is the call and the OVER clause it takes, as users read them, e.g.
	// "(BIGINT|DOUBLE) OVER (... ORDER BY t [frame]) -> DOUBLE".
	Args     string
	NullRule string
	Summary  string
	Kind     AnalyticKind
	// MinArgs and MaxArgs bound the number of arguments; count(*) counts as none.
	MinArgs, MaxArgs int
	// Framed says whether the call takes a frame clause (ROWS or RANGE); the others refuse
	// one rather than ignore it.
	Framed bool
	// Resolve checks the argument types and returns the result type.
	Resolve func(args []arrow.DataType) (arrow.DataType, error)
	// Value, for a FrameFunction, computes the row's result from its frame and its own value
	// v (ok is false when v is NULL); ok false in the result means NULL.
	Value func(f *FrameStats, v float64, ok bool) (float64, bool)
}

// FrameStats summarises the non-NULL values of one frame for the functions that fold it:
// Reset, then Add each value. Seconds, the time the frame covers, is set by the caller.
type FrameStats struct {
	N        int64   // the values added
	Sum      float64 // their sum (NaN when one is NaN)
	mean, m2 float64 // Welford's running mean and sum of squared distances from it
	numbers  int64   // the values that are not NaN
	min, max float64 // the least and the greatest of those
	nan      bool    // a NaN was added
	Seconds  float64 // the time the frame covers, for rate
}

// Reset empties f.
func (f *FrameStats) Reset() { *f = FrameStats{} }

// Add folds one non-NULL value into f.
func (f *FrameStats) Add(v float64) {
	f.N++
	f.Sum += v
	d := v - f.mean
	f.mean += d / float64(f.N)
	f.m2 += d * (v - f.mean)
	if v != v {
		f.nan = true
		return
	}
	if f.numbers == 0 || v < f.min {
		f.min = v
	}
	if f.numbers == 0 || v > f.max {
		f.max = v
	}
	f.numbers++
}

// stddev is the sample standard deviation of the values (NaN when one is NaN).
func (f *FrameStats) stddev() (float64, bool) {
	if f.N < 2 {
		return 0, false
	}
	return math.Sqrt(max(f.m2, 0) / float64(f.N-1)), true // max keeps a NaN
}

// builtinAnalytics lists the analytic functions.
func builtinAnalytics() []*Analytic {
	const numeric = "(BIGINT|DOUBLE) OVER (... ORDER BY t [frame]) -> DOUBLE"
	const skips = "skips NULLs; NULL when the frame has no non-NULL value"
	frame := func(name, args, rule, summary string, lo, hi int,
		value func(f *FrameStats, v float64, ok bool) (float64, bool)) *Analytic {
		return &Analytic{Name: name, Args: args, NullRule: rule, Summary: summary,
			Kind: FrameFunction, MinArgs: lo, MaxArgs: hi, Framed: true,
			Resolve: numericAnalytic(name, lo, hi), Value: value}
	}
	out := []*Analytic{
		frame("avg", numeric, skips, "mean of the frame's values", 1, 1, frameAvg),
		frame("sum", numeric, skips, "sum of the frame's values", 1, 1, frameSum),
		frame("min", numeric, skips, "smallest value of the frame; NaN only when every "+
			"value is NaN", 1, 1, frameMin),
		frame("max", numeric, skips, "largest value of the frame; NaN is above every number",
			1, 1, frameMax),
		frame("stddev", numeric, "skips NULLs; NULL when the frame has fewer than two "+
			"non-NULL values", "sample standard deviation of the frame's values; NaN when "+
			"a value is NaN", 1, 1, frameStddev),
		frame("zscore", numeric, "NULL when v is NULL, when the frame has fewer than two "+
			"non-NULL values or when their standard deviation is 0",
			"v's distance from the mean of the frame's values, in sample standard "+
				"deviations: (v - avg) / stddev", 1, 1, frameZscore),
		frame("rate", "() OVER (... ORDER BY time [frame]) -> DOUBLE, "+
			"(BIGINT|DOUBLE) OVER (... ORDER BY time [frame]) -> DOUBLE",
			"rate() counts every row; rate(v) skips NULLs and is NULL when none is left "+
				"or the frame covers no time",
			"rows, or the sum of v, per second of the time the frame covers: a RANGE "+
				"frame's interval, else from its first row to its last (a window row from "+
				"its window_start to its window_end, an event at its time)", 0, 1, frameRate),
		{
			Name: "count", Args: "(*) OVER (... [frame]) -> BIGINT, " +
				"(any) OVER (... [frame]) -> BIGINT",
			NullRule: "count(*) counts every row of the frame, count(x) the rows where x " +
				"is not NULL; 0 for an empty frame",
			Summary: "number of rows of the frame, or of its non-NULL values",
			Kind:    FrameFunction, MinArgs: 0, MaxArgs: 1, Framed: true,
			Resolve: func(args []arrow.DataType) (arrow.DataType, error) {
				if err := argCount("count", args, 0, 1); err != nil {
					return nil, err
				}
				return Bigint, nil
			},
			Value: frameCount,
		},
	}
	return append(out, positionalAnalytics()...)
}

// positionalAnalytics lists the analytic functions that take no frame.
func positionalAnalytics() []*Analytic {
	position := func(name string) func([]arrow.DataType) (arrow.DataType, error) {
		return func(args []arrow.DataType) (arrow.DataType, error) {
			if err := argCount(name, args, 0, 0); err != nil {
				return nil, err
			}
			return Bigint, nil
		}
	}
	return []*Analytic{{
		Name: "row_number", Args: "() OVER (...) -> BIGINT", NullRule: "never NULL",
		Summary: "position of the row in its partition, from 1 (in arrival order over a " +
			"stream without ORDER BY)",
		Kind: RowNumber, Resolve: position("row_number"),
	}, {
		Name: "rank", Args: "() OVER (... ORDER BY x) -> BIGINT", NullRule: "never NULL",
		Summary: "position of the first row whose ORDER BY values equal the row's: ties " +
			"share a rank and leave a gap after them",
		Kind: Rank, Resolve: position("rank"),
	}, {
		Name: "lag", Args: "(v[, n[, default]]) OVER (... ORDER BY t) -> v's type",
		NullRule: "returns a NULL v as it is; default (NULL unless given) when the " +
			"partition has no row n before",
		Summary: "v of the row n rows (a constant, 1 unless given) before the row in its " +
			"partition",
		Kind: Lag, MinArgs: 1, MaxArgs: 3, Resolve: shiftResolve("lag"),
	}, {
		Name: "lead", Args: "(v[, n[, default]]) OVER (... ORDER BY t) -> v's type",
		NullRule: "returns a NULL v as it is; default (NULL unless given) when the " +
			"partition has no row n after",
		Summary: "v of the row n rows (a constant, 1 unless given) after the row in its " +
			"partition; over a stream the row waits for that row, or for the end of input",
		Kind: Lead, MinArgs: 1, MaxArgs: 3, Resolve: shiftResolve("lead"),
	}, {
		Name: "ema", Args: "(BIGINT|DOUBLE, alpha) OVER (... ORDER BY t) -> DOUBLE",
		NullRule: "skips NULLs (the row gets the average so far); NULL before the " +
			"partition's first non-NULL value",
		Summary: "exponential moving average over every row so far: alpha·v + " +
			"(1 - alpha)·the previous average, starting from the first value; alpha is a " +
			"constant in (0, 1]",
		Kind: EMA, MinArgs: 2, MaxArgs: 2, Resolve: numericAnalytic("ema", 2, 2),
	}}
}

// numericAnalytic resolves lo to hi numeric arguments to DOUBLE.
func numericAnalytic(name string, lo, hi int) func([]arrow.DataType) (arrow.DataType, error) {
	return func(args []arrow.DataType) (arrow.DataType, error) {
		if err := argCount(name, args, lo, hi); err != nil {
			return nil, err
		}
		for _, t := range args {
			if err := argOf(name, "numeric arguments", t, arrow.INT64,
				arrow.FLOAT64); err != nil {
				return nil, err
			}
		}
		return Double, nil
	}
}

// shiftResolve resolves lag and lead: (v, n BIGINT, default). The result is v's type, DOUBLE
// when one of v and default is BIGINT and the other DOUBLE, default's type when v is NULL.
func shiftResolve(name string) func([]arrow.DataType) (arrow.DataType, error) {
	return func(args []arrow.DataType) (arrow.DataType, error) {
		if err := argCount(name, args, 1, 3); err != nil {
			return nil, err
		}
		if len(args) > 1 {
			if err := argOf(name, "a BIGINT offset", args[1], arrow.INT64); err != nil {
				return nil, err
			}
		}
		t := args[0]
		if len(args) < 3 || isNullType(args[2]) || arrow.TypeEqual(t, args[2]) {
			return t, nil
		}
		d := args[2]
		switch {
		case isNullType(t):
			return d, nil
		case IsNumeric(t) && IsNumeric(d):
			return Double, nil
		}
		return nil, errSignature("%s: default of type %s for a value of type %s", name,
			TypeName(d), TypeName(t))
	}
}

func frameCount(f *FrameStats, _ float64, _ bool) (float64, bool) {
	return float64(f.N), true
}

func frameSum(f *FrameStats, _ float64, _ bool) (float64, bool) {
	return f.Sum, f.N > 0
}

func frameAvg(f *FrameStats, _ float64, _ bool) (float64, bool) {
	return f.Sum / float64(f.N), f.N > 0
}

func frameMin(f *FrameStats, _ float64, _ bool) (float64, bool) {
	if f.numbers == 0 {
		return math.NaN(), f.N > 0 // every value is NaN
	}
	return f.min, true
}

func frameMax(f *FrameStats, _ float64, _ bool) (float64, bool) {
	if f.nan {
		return math.NaN(), true
	}
	return f.max, f.N > 0
}

func frameStddev(f *FrameStats, _ float64, _ bool) (float64, bool) {
	return f.stddev()
}

func frameZscore(f *FrameStats, v float64, ok bool) (float64, bool) {
	sd, has := f.stddev()
	if !ok || !has || sd == 0 {
		return 0, false
	}
	return (v - f.mean) / sd, true
}

func frameRate(f *FrameStats, _ float64, _ bool) (float64, bool) {
	if f.N == 0 || !(f.Seconds > 0) {
		return 0, false
	}
	return f.Sum / f.Seconds, true
}
