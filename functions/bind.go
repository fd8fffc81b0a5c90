package functions

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
)

// Some aggregates need more than their argument types: percentile(v, q) needs the value of q
// before the first row, first(v) the event time of each row, rate() the window's length. The
// planner describes each call in a CallInfo and runs the Bound aggregate that BindCall returns;
// the executor never sees the difference.

// CallInfo is what the planner knows of one call of an aggregate.
type CallInfo struct {
	// Args are the types of the arguments as written. For the WITHIN GROUP form the ORDER BY
	// value comes first, then the arguments in parentheses: percentile_cont(0.5) WITHIN GROUP
	// (ORDER BY v) is described as (v, 0.5), like the short form percentile_cont(v, 0.5).
	Args []arrow.DataType
	// Consts holds the value of each argument that is a constant.
	Consts []Const
	// Distinct is set for f(DISTINCT x), Filter for f(x) FILTER (WHERE ...).
	Distinct bool
	Filter   bool
	// WithinGroup is set for the WITHIN GROUP form; Desc when its ORDER BY is DESC.
	WithinGroup bool
	Desc        bool
	// EventTime is set when the planner can pass each row's event time (a windowed query).
	EventTime bool
	// Window is the shape of the windows the call runs in.
	Window WindowInfo
}

// Const is the value of an argument the planner found constant: an int64, float64, string,
// bool or nil (NULL), as Constant takes them. OK is false for an argument that is not constant.
type Const struct {
	Value any
	OK    bool
}

// WindowKind names the kind of window a call runs in.
type WindowKind int

// The kinds of window, as DESIGN.md lists them.
const (
	NoWindow WindowKind = iota
	TumbleWindow
	HopWindow
	CumulateWindow
	SessionWindow
)

// WindowInfo is the shape of the windows a call runs in; lengths are in microseconds.
type WindowInfo struct {
	Kind WindowKind
	Size int64 // the length of every TUMBLE and HOP window, CUMULATE's largest
	Gap  int64 // SESSION's gap
}

// Bound is an aggregate specialised for one call. The executor evaluates the written
// arguments listed in Args, in that order, followed by the event time when Time is set, and
// passes them to Fn's Resolve, New and Update.
type Bound struct {
	Fn   *Aggregate
	Args []int
	Time bool
}

// BindCall specialises a for one call. Without a Bind of its own an aggregate takes every
// argument per row and refuses WITHIN GROUP; DISTINCT wraps the result in a state that keeps
// each group's distinct values. Errors wrap ErrSignature, ErrInvalidArgument or ErrUnsupported.
func (a *Aggregate) BindCall(c CallInfo) (Bound, error) {
	var b Bound
	switch {
	case a.Bind != nil:
		var err error
		if b, err = a.Bind(c); err != nil {
			return Bound{}, err
		}
	case c.WithinGroup:
		return Bound{}, errWithinGroup(a.Name)
	default:
		if _, err := a.Resolve(c.Args); err != nil {
			return Bound{}, err
		}
		b = Bound{Fn: a, Args: allArgs(len(c.Args))}
	}
	if !c.Distinct {
		return b, nil
	}
	if len(b.Args) != 1 || b.Time {
		return Bound{}, fmt.Errorf("%w: %s(DISTINCT ...)", ErrUnsupported, a.Name)
	}
	b.Fn = distinctOf(b.Fn)
	return b, nil
}

// allArgs lists the argument positions 0..n-1.
func allArgs(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// withState returns a copy of a whose Resolve and New are the given ones: an aggregate
// specialised for one call keeps the name and documentation of its registry entry.
func withState(a *Aggregate, resolve func([]arrow.DataType) (arrow.DataType, error),
	newState func([]arrow.DataType) AggState) *Aggregate {
	c := *a
	c.Resolve, c.New, c.Bind = resolve, newState, nil
	return &c
}

// fractionArg reads the constant fraction of a percentile at argument i: a number in [0, 1].
func fractionArg(name string, c CallInfo, i int) (float64, error) {
	if i >= len(c.Args) {
		return 0, errSignature("%s expects a fraction between 0 and 1", name)
	}
	var k Const
	if i < len(c.Consts) {
		k = c.Consts[i]
	}
	if !k.OK {
		return 0, fmt.Errorf("%w: the fraction of %s must be a constant", ErrInvalidArgument,
			name)
	}
	var q float64
	switch v := k.Value.(type) {
	case float64:
		q = v
	case int64:
		q = float64(v)
	default:
		return 0, fmt.Errorf("%w: the fraction of %s must be a number between 0 and 1, got %v",
			ErrInvalidArgument, name, constText(k.Value))
	}
	if !(q >= 0 && q <= 1) {
		return 0, fmt.Errorf("%w: the fraction of %s must be between 0 and 1, got %s",
			ErrInvalidArgument, name, FormatDouble(q))
	}
	return q, nil
}

// constText writes a constant for an error message.
func constText(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case string:
		return "'" + v + "'"
	}
	return fmt.Sprint(v)
}

// errWithinGroup is the error for WITHIN GROUP on an aggregate that is no ordered-set one.
func errWithinGroup(name string) error {
	return fmt.Errorf("%w: %s is not an ordered-set aggregate; WITHIN GROUP is for "+
		"percentile_cont and percentile_disc", ErrInvalidArgument, name)
}
