package exec_test

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/stretchr/testify/require"

	"github.com/weirsql/weir/exec"
	"github.com/weirsql/weir/functions"
)

func TestColumnsRead(t *testing.T) {
	env, _ := newEnv(t)
	src := newSource()
	one := &exec.Literal{T: functions.Bigint, Value: int64(1), Text: "1"}
	pred := &exec.Binary{Op: "=", L: kCol, R: one, T: functions.Boolean,
		SQL: exec.Text("k = 1")}
	filter := &exec.Filter{Input: &exec.Count{Input: src, Env: env}, Pred: pred, Env: env}
	out := arrow.NewSchema([]arrow.Field{{Name: "x", Type: functions.Timestamp},
		{Name: "y", Type: functions.Bigint}}, nil)

	tests := []struct {
		name string
		op   exec.Operator
		read []bool
		ok   bool
	}{
		{"the source alone", src, []bool{true, true, true}, true},
		{"a filter reads its predicate's columns and passes all", filter,
			[]bool{true, true, true}, true},
		{"a projection over a filter", &exec.Project{Input: filter, Out: out, Env: env,
			Exprs: []exec.Expr{tsCol, &exec.Cast{X: one, To: functions.Bigint}}},
			[]bool{true, true, false}, true},
		{"a projection of a projection", &exec.Project{Input: &exec.Project{Input: src,
			Out: out, Env: env, Exprs: []exec.Expr{tsCol, vCol}}, Out: out, Env: env,
			Exprs: []exec.Expr{&exec.Column{Index: 1, T: functions.Bigint, Name: "y"}}},
			[]bool{false, false, true}, true},
		{"a watermark reads its time and passes all", &exec.Project{Env: env, Out: out,
			Input: &exec.Watermark{Input: src, Time: tsCol, Env: env},
			Exprs: []exec.Expr{vCol}}, []bool{true, false, true}, true},
		{"an aggregate reads its keys, time, arguments and $wm", &exec.HashAggregate{
			Input: &exec.Watermark{Input: src, Time: tsCol, Env: env}, Env: env,
			Keys: []exec.Expr{kCol}, Time: tsCol, WMIndex: 3, Out: out},
			[]bool{true, true, false}, true},
		{"an aggregate that writes late events out", &exec.HashAggregate{Input: src,
			Env: env, Time: tsCol, WMIndex: 2, Out: out,
			Late: func(arrow.RecordBatch, []int) error { return nil }}, nil, false},
		{"an unknown expression", &exec.Project{Input: src, Out: out, Env: env,
			Exprs: []exec.Expr{&unknownExpr{}}}, nil, false},
		{"an unknown operator", &exec.Project{Input: &exec.Union{Inputs: []exec.Operator{src},
			Out: eventSchema},
			Out: out, Env: env, Exprs: []exec.Expr{tsCol}}, []bool{true, false, false}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			leaf, read, ok := exec.ColumnsRead(tt.op)
			require.Equal(t, tt.ok, ok)
			require.Equal(t, tt.read, read)
			if ok && tt.name != "an unknown operator" {
				require.Same(t, src, leaf)
			}
		})
	}
}

// unknownExpr is an expression ColumnsRead does not know.
type unknownExpr struct{ exec.Column }
