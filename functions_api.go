package weir

import (
	"fmt"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/weirsql/weir/functions"
)

// Scalar is a scalar function's registry entry, as the built-ins have: name, signature text,
// null rule, summary, a Resolve that checks argument types, and an Eval over whole arrays.
type Scalar = functions.Scalar

// Aggregate is an aggregate function's registry entry; New makes its columnar state.
type Aggregate = functions.Aggregate

// AggState is the columnar state of an aggregate over many groups; see functions.AggState.
type AggState = functions.AggState

// globalFuncs are the functions Register adds to every engine opened after it.
var globalFuncs struct {
	sync.Mutex
	fns []any
}

// Register adds user-defined functions, *Scalar or *Aggregate entries, to every engine opened
// after it, as DB.Register does for one engine. Call it from an init function or main, as
// database/sql's drivers register themselves.
func Register(fns ...any) error {
	if err := checkFuncs(fns); err != nil {
		return err
	}
	globalFuncs.Lock()
	defer globalFuncs.Unlock()
	globalFuncs.fns = append(globalFuncs.fns, fns...)
	return nil
}

// Register adds user-defined functions, *Scalar or *Aggregate entries, to the engine's
// registry, beside (or in place of) the built-ins of the same name.
func (db *DB) Register(fns ...any) error {
	if err := checkFuncs(fns); err != nil {
		return err
	}
	for _, f := range fns {
		switch f := f.(type) {
		case *Scalar:
			db.registry.RegisterScalar(f)
		case *Aggregate:
			db.registry.RegisterAggregate(f)
		}
	}
	return nil
}

// checkFuncs checks that each of fns is a registry entry with what a call needs.
func checkFuncs(fns []any) error {
	for _, f := range fns {
		switch f := f.(type) {
		case *Scalar:
			if f.Name == "" || f.Resolve == nil || f.Eval == nil {
				return fmt.Errorf("scalar function needs Name, Resolve and Eval")
			}
		case *Aggregate:
			if f.Name == "" || f.Resolve == nil || f.New == nil {
				return fmt.Errorf("aggregate function needs Name, Resolve and New")
			}
		default:
			return fmt.Errorf("Register takes *weir.Scalar or *weir.Aggregate, got %T", f)
		}
	}
	return nil
}

// Values returns the current batch's rows as Go values: int64, float64, string, bool,
// time.Time (UTC) for TIMESTAMP, time.Duration for INTERVAL, nil for NULL.
func (r *Rows) Values() [][]any {
	b := r.batch
	if b == nil {
		return nil
	}
	out := make([][]any, b.NumRows())
	for i := range out {
		row := make([]any, b.NumCols())
		for c := range row {
			row[c] = goValue(b.Column(c), i)
		}
		out[i] = row
	}
	return out
}

func goValue(a arrow.Array, i int) any {
	if a.DataType().ID() == arrow.NULL || a.IsNull(i) {
		return nil
	}
	switch x := a.(type) {
	case *array.Int64:
		return x.Value(i)
	case *array.Float64:
		return x.Value(i)
	case *array.String:
		return x.Value(i)
	case *array.Boolean:
		return x.Value(i)
	case *array.Timestamp:
		unit := x.DataType().(*arrow.TimestampType).Unit
		return x.Value(i).ToTime(unit).UTC()
	case *array.Duration:
		unit := x.DataType().(*arrow.DurationType).Unit
		return time.Duration(int64(x.Value(i)) * int64(unit.Multiplier()))
	}
	return a.ValueStr(i)
}
