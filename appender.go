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
//
// Appending waits while a query on the stream is behind: each query holds a small queue of
// batches (16), and when it is full, Append, Flush and the AppendRow that fills a batch block
// until the query's reader takes rows. Read a query's rows on another goroutine than the one
// that appends (or append from another goroutine), or a program that pushes more than the
// queue holds before it reads waits forever.
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
	row := make([]any, len(values))
	for i, v := range values {
		x, err := convertValue(a.builders[i].Type(), v)
		if err != nil {
			f := a.schema.Field(i)
			return fmt.Errorf("column %q (%s): %w", f.Name, functions.TypeName(f.Type), err)
		}
		row[i] = x
	}
	for i, x := range row {
		appendConverted(a.builders[i], x)
	}
	a.rows++
	if a.rows >= appendBatchRows {
		return a.flush()
	}
	return nil
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

// convertValue checks a Go value against a column type and returns it as the column keeps it:
// int64, float64, string, bool, or int64 microseconds for TIMESTAMP and INTERVAL; nil is NULL.
func convertValue(t arrow.DataType, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch t.ID() {
	case arrow.INT64:
		if n, ok := toInt64(v); ok {
			return n, nil
		}
	case arrow.FLOAT64:
		switch x := v.(type) {
		case float64:
			return x, nil
		case float32:
			return float64(x), nil
		}
		if n, ok := toInt64(v); ok {
			return float64(n), nil
		}
	case arrow.STRING:
		switch x := v.(type) {
		case string:
			return x, nil
		case []byte:
			return string(x), nil
		}
	case arrow.BOOL:
		if x, ok := v.(bool); ok {
			return x, nil
		}
	case arrow.TIMESTAMP:
		switch x := v.(type) {
		case time.Time:
			return x.UnixMicro(), nil
		case string:
			if us, ok := functions.ParseTimestamp(x); ok {
				return us, nil
			}
			return nil, fmt.Errorf("cannot read %q as a TIMESTAMP", x)
		}
		return nil, fmt.Errorf("cannot use %T %v as TIMESTAMP (use time.Time)", v, v)
	case arrow.DURATION:
		if x, ok := v.(time.Duration); ok {
			return x.Microseconds(), nil
		}
		return nil, fmt.Errorf("cannot use %T %v as INTERVAL (use time.Duration)", v, v)
	default:
		return nil, fmt.Errorf("unsupported column type %s", t)
	}
	return nil, fmt.Errorf("cannot use %T %v as %s", v, v, functions.TypeName(t))
}

// appendConverted appends a value convertValue returned.
func appendConverted(b array.Builder, x any) {
	if x == nil {
		b.AppendNull()
		return
	}
	switch b := b.(type) {
	case *array.Int64Builder:
		b.Append(x.(int64))
	case *array.Float64Builder:
		b.Append(x.(float64))
	case *array.StringBuilder:
		b.Append(x.(string))
	case *array.BooleanBuilder:
		b.Append(x.(bool))
	case *array.TimestampBuilder:
		b.Append(arrow.Timestamp(x.(int64)))
	case *array.DurationBuilder:
		b.Append(arrow.Duration(x.(int64)))
	}
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
