package exec_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/weirsql/weir/exec"
	"github.com/weirsql/weir/functions"
)

func TestZZDbg(t *testing.T) {
	env, _ := newEnv(t)
	src := newSource()
	src.endless = func() arrow.RecordBatch {
		return newBatch(t, env.Mem, []event{ev(int64(src.pulled)*second, 1, 1)})
	}
	op := &exec.Filter{Input: src, Env: env, Pred: binary(">", vCol, lit(100), functions.Boolean)}
	op.Open(context.Background())
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(10 * time.Millisecond); cancel() }()
	b, err := op.Next(ctx)
	fmt.Println(b, err, src.pulled)
	if b != nil {
		fmt.Println(printRows(b))
		b.Release()
	}
}
