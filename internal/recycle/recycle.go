// Package recycle is an allocator that keeps freed buffers for the next allocations.
package recycle

import (
	"sync"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Allocator is an allocator that keeps the buffers its batches give back, when the last
// reader releases them, and hands them out again for the next batches: a generator that
// makes batches of the same shape over and over then allocates nothing once it runs, and
// leaves the garbage collector nothing to do. It takes its memory from another allocator
// and gives it all back there by Close. It is safe for use by several goroutines, since a
// batch may be released on another goroutine than the one that made it.
type Allocator struct {
	mem memory.Allocator

	mu     sync.Mutex
	free   [][]byte         // buffers given back, each as mem allocated it
	out    map[*byte][]byte // buffers handed out, by their first byte
	closed bool             // every buffer given back now goes straight to mem
	keep   int              // how many free buffers to keep at most
}

var _ memory.Allocator = (*Allocator)(nil)

// New returns an Allocator over mem that keeps at most keep free buffers.
func New(mem memory.Allocator, keep int) *Allocator {
	return &Allocator{mem: mem, out: map[*byte][]byte{}, keep: keep}
}

// Allocate returns a kept buffer of size bytes or more when one fits without wasting more
// than half of it, and a new one otherwise. Unlike the Go allocator's, its bytes are not
// zeroed.
func (r *Allocator) Allocate(size int) []byte {
	if size == 0 {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, b := range r.free {
		if len(b) >= size && len(b) <= 2*size {
			last := len(r.free) - 1
			r.free[i], r.free[last] = r.free[last], nil
			r.free = r.free[:last]
			r.out[&b[0]] = b
			return b[:size:size]
		}
	}
	b := r.mem.Allocate(size + size/8) // room for the next batch's to be a little larger
	r.out[&b[0]] = b
	return b[:size:size]
}

// Reallocate returns a buffer of size bytes starting with b's.
func (r *Allocator) Reallocate(size int, b []byte) []byte {
	if len(b) > 0 {
		r.mu.Lock()
		orig := r.out[&b[0]]
		r.mu.Unlock()
		if len(orig) >= size {
			return orig[:size:size]
		}
	}
	nb := r.Allocate(size)
	copy(nb, b)
	r.Free(b)
	return nb
}

// Free keeps b for a later Allocate, or gives it back to the underlying allocator.
func (r *Allocator) Free(b []byte) {
	if cap(b) == 0 {
		return
	}
	b = b[:1]
	r.mu.Lock()
	defer r.mu.Unlock()
	orig, ok := r.out[&b[0]]
	if !ok {
		panic("recycle: freeing a buffer it did not allocate")
	}
	delete(r.out, &b[0])
	switch {
	case r.closed:
		r.mem.Free(orig)
	case len(r.free) < r.keep:
		r.free = append(r.free, orig)
	default:
		// Full: keep the larger buffers, so that those outgrown while a batch's buffers grew
		// to their steady size do not crowd out the ones that fit.
		small := 0
		for i, f := range r.free {
			if len(f) < len(r.free[small]) {
				small = i
			}
		}
		if len(orig) > len(r.free[small]) {
			orig, r.free[small] = r.free[small], orig
		}
		r.mem.Free(orig)
	}
}

// Close gives the kept buffers back to the underlying allocator; buffers still out go back
// there when they are freed.
func (r *Allocator) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, b := range r.free {
		r.mem.Free(b)
	}
	r.free, r.closed = nil, true
}
