package weir

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/weirsql/weir/functions"
)

// twice is a user-defined scalar: twice(BIGINT) -> BIGINT.
var twice = &Scalar{
	Name: "twice_test", Args: "(BIGINT) -> BIGINT", NullRule: "NULL if x is NULL",
	Summary: "x doubled",
	Resolve: func(args []arrow.DataType) (arrow.DataType, error) {
		if len(args) != 1 || args[0].ID() != arrow.INT64 {
			return nil, functions.ErrSignature
		}
		return arrow.PrimitiveTypes.Int64, nil
	},
	Eval: func(mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error) {
		in := args[0].(*array.Int64)
		b := array.NewInt64Builder(mem)
		defer b.Release()
		for i := range n {
			if in.IsNull(i) {
				b.AppendNull()
				continue
			}
			b.Append(2 * in.Value(i))
		}
		return b.NewArray(), nil
	},
}

// TestRegisterGlobal registers a scalar for every engine opened afterwards, calls it in a
// query, and finds it in SHOW FUNCTIONS; an engine opened before does not have it.
func TestRegisterGlobal(t *testing.T) {
	before, err := Open()
	require.NoError(t, err)
	defer before.Close()
	require.NoError(t, Register(twice))
	require.Error(t, Register(&Scalar{Name: "broken"}), "an entry without Eval is refused")

	db, err := Open()
	require.NoError(t, err)
	defer db.Close()
	ctx := context.Background()
	require.NoError(t, db.Exec(ctx, `CREATE STREAM ev (ts TIMESTAMP, x BIGINT)`))
	rows, err := db.Query(ctx, `SELECT twice_test(x) AS y FROM ev`)
	require.NoError(t, err)
	defer rows.Close()
	app, err := db.Appender("ev")
	require.NoError(t, err)
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	require.NoError(t, app.AppendRow(t0, int64(21)))
	require.NoError(t, app.AppendRow(t0, nil))
	require.NoError(t, app.Close())
	var got []any
	for rows.Next() {
		for _, r := range rows.Values() {
			got = append(got, r[0])
		}
	}
	require.NoError(t, rows.Err())
	require.Equal(t, []any{int64(42), nil}, got)

	require.NoError(t, before.Exec(ctx, `CREATE STREAM ev (ts TIMESTAMP, x BIGINT)`))
	_, err = before.Query(ctx, `SELECT twice_test(x) FROM ev`)
	require.ErrorContains(t, err, "twice_test")
}

// TestSharedAppender pushes from four goroutines through one appender while a windowed query
// runs: nothing is lost and nothing is counted twice.
func TestSharedAppender(t *testing.T) {
	db, err := Open()
	require.NoError(t, err)
	defer db.Close()
	ctx := context.Background()
	require.NoError(t, db.Exec(ctx, `CREATE STREAM ev (ts TIMESTAMP, k BIGINT,
		WATERMARK FOR ts AS ts - INTERVAL '1' HOUR)`))
	rows, err := db.Query(ctx, `SELECT k, count(*) AS n FROM ev GROUP BY k, TUMBLE(ts, 1h)`)
	require.NoError(t, err)
	defer rows.Close()
	app, err := db.Appender("ev")
	require.NoError(t, err)

	const writers, perWriter = 4, 20_000
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				if err := app.AppendRow(t0.Add(time.Duration(i)*time.Millisecond),
					int64(w)); err != nil {
					errs <- err
					return
				}
				if i%1000 == 0 {
					if err := app.Flush(); err != nil {
						errs <- err
						return
					}
				}
			}
		})
	}
	go func() {
		wg.Wait()
		errs <- app.Close()
		close(errs)
	}()
	perKey := map[int64]int64{}
	for rows.Next() {
		for _, r := range rows.Values() {
			perKey[r[0].(int64)] += r[1].(int64)
		}
	}
	require.NoError(t, rows.Err())
	for err := range errs {
		require.NoError(t, err)
	}
	require.Len(t, perKey, writers)
	for w := range writers {
		require.EqualValues(t, perWriter, perKey[int64(w)])
	}
}
