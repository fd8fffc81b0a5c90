package exec

import (
	"context"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// SingleRow returns one row of no columns, then io.EOF: what a SELECT without FROM reads,
// so that SELECT 1 returns one row and SELECT count(*) counts it.
type SingleRow struct {
	done bool
}

var _ Operator = (*SingleRow)(nil)

var noColumns = arrow.NewSchema(nil, nil)

func (s *SingleRow) Schema() *arrow.Schema { return noColumns }

func (s *SingleRow) Open(context.Context) error { return nil }

func (s *SingleRow) Close() error { return nil }

func (s *SingleRow) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.done {
		return nil, io.EOF
	}
	s.done = true
	return array.NewRecordBatch(noColumns, nil, 1), nil
}
