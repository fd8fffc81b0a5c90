package connector

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// fixedColumn gathers the values of a BIGINT, DOUBLE or TIMESTAMP column of a text source
// straight into the buffers of the Arrow array it becomes: a value is one store, with no
// builder between, and the buffers come from an allocator that recycles those of the batches
// released, so that they are neither zeroed nor left to the garbage collector.
type fixedColumn struct {
	mem   memory.Allocator
	typ   arrow.DataType
	vals  *memory.Buffer
	words []int64 // vals as 64-bit words, as many as it has room for
	valid *memory.Buffer
	bits  []byte // valid's bytes, nil while no value of the batch is NULL
	n     int
	nulls int
}

// minFixedRows is the fewest rows a batch's buffers have room for at first.
const minFixedRows = 64

// start begins a batch with room for rows values.
func (c *fixedColumn) start(rows int) {
	c.vals = memory.NewResizableBuffer(c.mem)
	c.words, c.bits, c.valid, c.n, c.nulls = nil, nil, nil, 0, 0
	c.grow(max(rows, minFixedRows))
}

// grow makes room for rows values in all.
func (c *fixedColumn) grow(rows int) {
	c.vals.Reserve(rows * arrow.Int64SizeBytes)
	c.words = arrow.Int64Traits.CastFromBytes(c.vals.Buf())
	if c.valid != nil {
		c.valid.Reserve(int(bitutil.BytesForBits(int64(len(c.words)))))
		c.bits = c.valid.Buf()
	}
}

// add appends a value, written as its 64 bits.
func (c *fixedColumn) add(w int64) {
	if c.n == len(c.words) {
		c.grow(2 * c.n)
	}
	c.words[c.n] = w
	if c.bits != nil {
		bitutil.SetBit(c.bits, c.n)
	}
	c.n++
}

// addNull appends a NULL; the first of a batch makes the validity bitmap.
func (c *fixedColumn) addNull() {
	if c.n == len(c.words) {
		c.grow(2 * c.n)
	}
	if c.bits == nil {
		c.valid = memory.NewResizableBuffer(c.mem)
		c.valid.Reserve(int(bitutil.BytesForBits(int64(len(c.words)))))
		c.bits = c.valid.Buf()
		bitutil.SetBitsTo(c.bits, 0, int64(c.n), true)
	}
	c.words[c.n] = 0
	bitutil.ClearBit(c.bits, c.n)
	c.nulls++
	c.n++
}

// array hands the batch's values over as an Arrow array.
func (c *fixedColumn) array() arrow.Array {
	c.vals.ResizeNoShrink(c.n * arrow.Int64SizeBytes)
	if c.valid != nil {
		c.valid.ResizeNoShrink(int(bitutil.BytesForBits(int64(c.n))))
	}
	data := array.NewData(c.typ, c.n, []*memory.Buffer{c.valid, c.vals}, nil, c.nulls, 0)
	defer data.Release()
	c.release()
	return array.MakeFromData(data)
}

// release drops the buffers of the batch being gathered.
func (c *fixedColumn) release() {
	if c.vals != nil {
		c.vals.Release()
	}
	if c.valid != nil {
		c.valid.Release()
	}
	c.vals, c.valid, c.words, c.bits = nil, nil, nil, nil
}
