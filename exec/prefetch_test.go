package exec_test

import (
	"context"
	"errors"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/stretchr/testify/require"

	"github.com/weirsql/weir/exec"
)

// goroutinesBack waits until no more goroutines run than before, failing after a second.
func goroutinesBack(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines left, %d before:\n%s", runtime.NumGoroutine(), before,
				buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(time.Millisecond)
	}
}

func TestPrefetchPassesBatchesInOrder(t *testing.T) {
	_, mem := newEnv(t)
	var evs []event
	for i := 0; i < 100; i++ {
		evs = append(evs, ev(int64(i)*second, int64(i%7), int64(i)))
	}
	want := drain(t, newSource(split(t, mem, evs, 9)...))
	src := newSource(split(t, mem, evs, 9)...)
	p := &exec.Prefetch{Input: src}
	require.NoError(t, p.Open(context.Background()))
	require.Equal(t, want, drain(t, p))
	require.Equal(t, 1, src.closed)
	require.NoError(t, p.Close(), "Close is idempotent")
}

// failing returns its batches, then err.
type failing struct {
	*source
	err error
}

func (f *failing) Next(ctx context.Context) (arrow.RecordBatch, error) {
	b, err := f.source.Next(ctx)
	if errors.Is(err, io.EOF) {
		return nil, f.err
	}
	return b, err
}

func TestPrefetchPassesTheError(t *testing.T) {
	_, mem := newEnv(t)
	boom := errors.New("boom")
	src := &failing{source: newSource(split(t, mem, []event{ev(1, 1, 1), ev(2, 2, 2)}, 1)...),
		err: boom}
	p := &exec.Prefetch{Input: src}
	ctx := context.Background()
	require.NoError(t, p.Open(ctx))
	defer p.Close()
	for i := 0; i < 2; i++ {
		b, err := p.Next(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 1, b.NumRows())
		b.Release()
	}
	for i := 0; i < 2; i++ {
		_, err := p.Next(ctx)
		require.ErrorIs(t, err, boom, "the error ends the stream")
	}
}

// TestPrefetchIsBounded reads one batch of an endless source and checks that the goroutine
// stops a few batches ahead, and that Close releases what it read ahead.
func TestPrefetchIsBounded(t *testing.T) {
	_, mem := newEnv(t)
	before := runtime.NumGoroutine()
	src := newSource()
	src.endless = func() arrow.RecordBatch { return newBatch(t, mem, []event{ev(1, 1, 1)}) }
	p := &exec.Prefetch{Input: src, Depth: 3}
	ctx := context.Background()
	require.NoError(t, p.Open(ctx))
	b, err := p.Next(ctx)
	require.NoError(t, err)
	b.Release()
	time.Sleep(50 * time.Millisecond)
	require.NoError(t, p.Close())
	// One taken, three in the channel, one waiting to be sent.
	require.LessOrEqual(t, src.pulled, 5)
	require.GreaterOrEqual(t, src.pulled, 2)
	goroutinesBack(t, before)
}

// TestPrefetchStopsOnCancel cancels a query whose source waits, and checks that Next returns
// promptly and that Close leaves no goroutine behind.
func TestPrefetchStopsOnCancel(t *testing.T) {
	_, mem := newEnv(t)
	before := runtime.NumGoroutine()
	src := newSource(newBatch(t, mem, []event{ev(1, 1, 1)}))
	src.block = true
	p := &exec.Prefetch{Input: src}
	ctx, cancel := context.WithCancel(context.Background())
	require.NoError(t, p.Open(ctx))
	b, err := p.Next(ctx)
	require.NoError(t, err)
	b.Release()
	go func() {
		time.Sleep(20 * time.Millisecond)
		cancel()
	}()
	start := time.Now()
	_, err = p.Next(ctx)
	require.ErrorIs(t, err, context.Canceled)
	require.Less(t, time.Since(start), time.Second)
	require.NoError(t, p.Close())
	require.Equal(t, 1, src.closed)
	goroutinesBack(t, before)
}

// TestPrefetchCloseWithoutCancel closes a prefetch whose source waits for events, without
// cancelling the query's context: Close itself stops the goroutine.
func TestPrefetchCloseWithoutCancel(t *testing.T) {
	_, mem := newEnv(t)
	before := runtime.NumGoroutine()
	src := newSource(split(t, mem, []event{ev(1, 1, 1), ev(2, 1, 1), ev(3, 1, 1)}, 1)...)
	src.block = true
	p := &exec.Prefetch{Input: src}
	ctx := context.Background()
	require.NoError(t, p.Open(ctx))
	b, err := p.Next(ctx)
	require.NoError(t, err)
	b.Release()
	require.NoError(t, p.Close())
	goroutinesBack(t, before)
}
