package exec

import (
	"sync"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// recycler is an allocator that keeps the buffers freed through it for the next allocations
// that fit, so that a worker's sub-batches, about the same size batch after batch, cost no
// allocation and no zeroing. Its buffers come from base and go back to it on release. What it
// hands out is not zeroed: it serves only code that writes every byte it reads.
type recycler struct {
	base memory.Allocator

	mu   sync.Mutex
	size map[*byte]int // the length each buffer was allocated with, by its first byte
	free [][]byte      // at their allocated lengths
}

// recycled is how many free buffers a recycler keeps at most.
const recycled = 16

var _ memory.Allocator = (*recycler)(nil)

func newRecycler(base memory.Allocator) *recycler {
	return &recycler{base: base, size: map[*byte]int{}}
}

func (r *recycler) Allocate(size int) []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, b := range r.free {
		if len(b) >= size {
			last := len(r.free) - 1
			r.free[i], r.free[last] = r.free[last], nil
			r.free = r.free[:last]
			return b[:size]
		}
	}
	b := r.base.Allocate(size)
	if size > 0 {
		r.size[&b[0]] = size
	}
	return b
}

func (r *recycler) Reallocate(size int, b []byte) []byte {
	nb := r.Allocate(size)
	copy(nb, b)
	r.Free(b)
	return nb
}

func (r *recycler) Free(b []byte) {
	if cap(b) == 0 {
		return
	}
	b = b[:1]
	r.mu.Lock()
	defer r.mu.Unlock()
	n, ok := r.size[&b[0]]
	if !ok {
		return // not one of ours: cannot happen
	}
	b = b[:n]
	if len(r.free) < recycled {
		r.free = append(r.free, b)
		return
	}
	delete(r.size, &b[0])
	r.base.Free(b)
}

// release gives the kept buffers back to base.
func (r *recycler) release() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, b := range r.free {
		delete(r.size, &b[0])
		r.base.Free(b)
	}
	r.free = nil
}
