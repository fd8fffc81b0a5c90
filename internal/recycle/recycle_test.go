package recycle

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"
)

// counting counts the allocations that reach the allocator under the recycler.
type counting struct {
	memory.Allocator
	allocs int
}

func (c *counting) Allocate(size int) []byte {
	c.allocs++
	return c.Allocator.Allocate(size)
}

// TestSteadyStateAllocatesNothing grows three buffers by doubling, as a text source's
// columns do in their first batch, then makes batches of the grown size: once the first
// few are back, no batch allocates, though the outgrown small buffers filled the free list.
func TestSteadyStateAllocatesNothing(t *testing.T) {
	checked := memory.NewCheckedAllocator(memory.NewGoAllocator())
	under := &counting{Allocator: checked}
	r := New(under, 8)
	bufs := make([]*memory.Buffer, 3)
	for i := range bufs {
		bufs[i] = memory.NewResizableBuffer(r)
		for size := 64; size <= 1<<15; size *= 2 {
			bufs[i].Reserve(size)
		}
	}
	for batch := range 20 {
		for _, b := range bufs {
			b.Release()
		}
		for i := range bufs {
			bufs[i] = memory.NewResizableBuffer(r)
			bufs[i].Reserve(1 << 15)
		}
		if batch == 1 {
			under.allocs = 0
		}
	}
	require.Zero(t, under.allocs, "allocations once the grown buffers are back")
	for _, b := range bufs {
		b.Release()
	}
	r.Close()
	checked.AssertSize(t, 0)
}
