// Package exec runs weir's physical operators over Arrow record batches: scan, filter,
// project, window assignment, hash aggregation with watermarks, and emission.
package exec

import (
	"context"
	"errors"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Operator is one node of a running query.
//
// Open is called once, before Next. Next returns the next batch, or io.EOF when the operator
// has no more rows; the caller owns the returned batch and must Release it. An operator that
// keeps a batch past the call that gave it Retains it. Next checks ctx at least once per batch
// and returns ctx.Err() once ctx is done. Close releases everything the operator holds and may
// be called more than once.
type Operator interface {
	Schema() *arrow.Schema
	Open(ctx context.Context) error
	Next(ctx context.Context) (arrow.RecordBatch, error)
	Close() error
}

// ErrUnsupported marks SQL that weir recognises but does not run.
var ErrUnsupported = errors.New("unsupported")

// Env is what every operator of one query shares.
type Env struct {
	Mem   memory.Allocator
	Stats *Stats
	// Now is the processing-time clock (time.Now when nil); tests set their own.
	Now func() time.Time
	// MemoryLimit caps the bytes of state the query may hold (0: no limit).
	MemoryLimit int64
}
