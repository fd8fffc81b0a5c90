package weir

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/weirsql/weir/exec"
	"github.com/weirsql/weir/functions"
	"github.com/weirsql/weir/parser"
)

// ErrNoReader is returned when events are pushed into a stream that no query reads: weir does
// not keep them.
var ErrNoReader = exec.ErrNoReader

// appendBatchRows is how many rows AppendRow gathers before it pushes them as one batch.
const appendBatchRows = 4096

// Appender pushes events into a stream declared without a connector. Each appender is a
// partition of its stream: the stream's watermark is the minimum over its open appenders, and
// the stream ends, firing every open window, when every appender opened on it has closed.
// An Appender is safe for use from several goroutines.
type Appender struct {
	stream string
	hub    *exec.Hub
	part   int
	schema *arrow.Schema

	mu       sync.Mutex
	builders []array.Builder
	rows     int
	closed   bool
}

// Appender opens a new partition of a stream declared without a connector.
func (db *DB) Appender(stream string) (*Appender, error) {
	st, ok := db.catalog.Lookup(parser.Ident{Name: stream})
	if !ok {
		return nil, fmt.Errorf("unknown stream %q", stream)
	}
	if st.Hub == nil {
		return nil, fmt.Errorf("stream %s reads connector %q; only a stream declared without "+
			"a connector takes events from the program", st.Name, st.Options["connector"])
	}
	a := &Appender{stream: st.Name, hub: st.Hub, schema: st.Hub.Schema()}
	a.part = st.Hub.OpenPartition()
	for _, f := range a.schema.Fields() {
		a.builders = append(a.builders, array.NewBuilder(db.mem, f.Type))
	}
	return a, nil
}

// Append pushes a batch of events, whose schema must be the stream's (its columns declared
// without AS, in order). It waits while a query reading the stream is busy; it does not take
// ownership of b.
func (a *Appender) Append(b arrow.RecordBatch) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return fmt.Errorf("appender of %s is closed", a.stream)
	}
	if !b.Schema().Equal(a.schema) {
		return fmt.Errorf("batch schema %s does not match stream %s's %s", b.Schema(),
			a.stream, a.schema)
	}
	if err := a.flush(); err != nil {
		return err
	}
	return a.hub.Push(context.Background(), a.part, b)
}

// AppendRow adds one event, a Go value per column of the stream in order: int, int64 and
// the other integers for BIGINT, float64 or an integer for DOUBLE, string or []byte for
// VARCHAR, bool for BOOLEAN, time.Time or a timestamp string for TIMESTAMP, time.Duration for
// INTERVAL, and nil for NULL. Rows are pushed in batches; Flush pushes them at once.
func (a *Appender) AppendRow(values ...any) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return fmt.Errorf("appender of %s is closed", a.stream)
	}
	if len(values) != len(a.builders) {
		return fmt.Errorf("stream %s has %d columns, got %d values", a.stream,
			len(a.builders), len(values))
	}
	for i, v := range values {
		if err := appendValue(a.builders[i], v); err != nil {
			f := a.schema.Field(i)
			// Keep the columns the same length: drop what this row added so far.
			a.rollback(i)
			return fmt.Errorf("column %q (%s): %w", f.Name, functions.TypeName(f.Type), err)
		}
	}
	a.rows++
	if a.rows >= appendBatchRows {
		return a.flush()
	}
	return nil
}

// rollback drops the last value of the first n builders, after a row failed half-way.
func (a *Appender) rollback(n int) {
	for i := 0; i < n; i++ {
		arr := a.builders[i].NewArray()
		sl := array.NewSlice(arr, 0, int64(arr.Len()-1))
		for j := 0; j < sl.Len(); j++ {
			_ = appendCellOf(a.builders[i], sl, j)
		}
		sl.Release()
		arr.Release()
	}
}

// Flush pushes the rows gathered by AppendRow.
func (a *Appender) Flush() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.flush()
}

func (a *Appender) flush() error {
	if a.rows == 0 {
		return nil
	}
	cols := make([]arrow.Array, len(a.builders))
	for i, b := range a.builders {
		cols[i] = b.NewArray()
	}
	b := array.NewRecordBatch(a.schema, cols, int64(a.rows))
	for _, c := range cols {
		c.Release()
	}
	defer b.Release()
	a.rows = 0
	return a.hub.Push(context.Background(), a.part, b)
}

// Close pushes what is gathered and ends the partition.
func (a *Appender) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return nil
	}
	err := a.flush()
	a.closed = true
	for _, b := range a.builders {
		b.Release()
	}
	a.hub.ClosePartition(a.part)
	if errors.Is(err, ErrNoReader) {
		err = nil // nothing reads the stream: the rows had nowhere to go either way
	}
	return err
}

func appendValue(b array.Builder, v any) error {
	if v == nil {
		b.AppendNull()
		return nil
	}
	switch b := b.(type) {
	case *array.Int64Builder:
		n, ok := toInt64(v)
		if !ok {
			return fmt.Errorf("cannot use %T %v as BIGINT", v, v)
		}
		b.Append(n)
	case *array.Float64Builder:
		switch x := v.(type) {
		case float64:
			b.Append(x)
		case float32:
			b.Append(float64(x))
		default:
			n, ok := toInt64(v)
			if !ok {
				return fmt.Errorf("cannot use %T %v as DOUBLE", v, v)
			}
			b.Append(float64(n))
		}
	case *array.StringBuilder:
		switch x := v.(type) {
		case string:
			b.Append(x)
		case []byte:
			b.Append(string(x))
		default:
			return fmt.Errorf("cannot use %T %v as VARCHAR", v, v)
		}
	case *array.BooleanBuilder:
		x, ok := v.(bool)
		if !ok {
			return fmt.Errorf("cannot use %T %v as BOOLEAN", v, v)
		}
		b.Append(x)
	case *array.TimestampBuilder:
		switch x := v.(type) {
		case time.Time:
			b.Append(arrow.Timestamp(x.UnixMicro()))
		case string:
			us, ok := functions.ParseTimestamp(x)
			if !ok {
				return fmt.Errorf("cannot read %q as a TIMESTAMP", x)
			}
			b.Append(arrow.Timestamp(us))
		default:
			return fmt.Errorf("cannot use %T %v as TIMESTAMP (use time.Time)", v, v)
		}
	case *array.DurationBuilder:
		x, ok := v.(time.Duration)
		if !ok {
			return fmt.Errorf("cannot use %T %v as INTERVAL (use time.Duration)", v, v)
		}
		b.Append(arrow.Duration(x.Microseconds()))
	default:
		return fmt.Errorf("unsupported column type %s", b.Type())
	}
	return nil
}

func toInt64(v any) (int64, bool) {
	switch x := v.(type) {
	case int:
		return int64(x), true
	case int8:
		return int64(x), true
	case int16:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case uint8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint32:
		return int64(x), true
	case uint:
		return int64(x), x <= math.MaxInt64
	case uint64:
		return int64(x), x <= math.MaxInt64
	}
	return 0, false
}

func appendCellOf(b array.Builder, a arrow.Array, i int) error {
	if a.IsNull(i) {
		b.AppendNull()
		return nil
	}
	switch src := a.(type) {
	case *array.Int64:
		b.(*array.Int64Builder).Append(src.Value(i))
	case *array.Float64:
		b.(*array.Float64Builder).Append(src.Value(i))
	case *array.String:
		b.(*array.StringBuilder).Append(src.Value(i))
	case *array.Boolean:
		b.(*array.BooleanBuilder).Append(src.Value(i))
	case *array.Timestamp:
		b.(*array.TimestampBuilder).Append(src.Value(i))
	case *array.Duration:
		b.(*array.DurationBuilder).Append(src.Value(i))
	}
	return nil
}
