package connector

import (
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// This file holds what the generators share: columns gathered in Go slices and turned into
// Arrow arrays in one copy per batch, and a small, fast random number generator.

// intColumn gathers the values of a BIGINT or TIMESTAMP column, or a BOOLEAN one as 0 and 1.
type intColumn struct {
	vals  []int64
	nulls []bool // nil while no value is NULL
}

func (c *intColumn) reset() { c.vals, c.nulls = c.vals[:0], c.nulls[:0] }

func (c *intColumn) add(v int64) {
	c.vals = append(c.vals, v)
	if c.nulls != nil {
		c.nulls = append(c.nulls, false)
	}
}

// strColumn gathers the values of a VARCHAR column back to back.
type strColumn struct {
	offs []int32 // the end of each value in data
	data []byte
}

func (c *strColumn) reset() { c.offs, c.data = c.offs[:0], c.data[:0] }

func (c *strColumn) add(b []byte) {
	c.data = append(c.data, b...)
	c.offs = append(c.offs, int32(len(c.data)))
}

func (c *strColumn) addString(s string) {
	c.data = append(c.data, s...)
	c.offs = append(c.offs, int32(len(c.data)))
}

// newBuffer returns a buffer from mem holding a copy of b.
func newBuffer(mem memory.Allocator, b []byte) *memory.Buffer {
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(len(b))
	copy(buf.Bytes(), b)
	return buf
}

// validity returns the validity bitmap of nulls, or nil when none is set.
func validity(mem memory.Allocator, nulls []bool) (*memory.Buffer, int) {
	count := 0
	for _, n := range nulls {
		if n {
			count++
		}
	}
	if count == 0 {
		return nil, 0
	}
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(int(bitutil.BytesForBits(int64(len(nulls)))))
	bm := buf.Bytes()
	for i, n := range nulls {
		bitutil.SetBitTo(bm, i, !n)
	}
	return buf, count
}

// array returns the column as an Arrow array of type t: Int64, Timestamp or Boolean.
func (c *intColumn) array(mem memory.Allocator, t arrow.DataType) arrow.Array {
	n := len(c.vals)
	valid, nullCount := validity(mem, c.nulls)
	var vals *memory.Buffer
	if t.ID() == arrow.BOOL {
		vals = memory.NewResizableBuffer(mem)
		vals.Resize(int(bitutil.BytesForBits(int64(n))))
		bm := vals.Bytes()
		for i, v := range c.vals {
			bitutil.SetBitTo(bm, i, v != 0)
		}
	} else {
		vals = newBuffer(mem, arrow.Int64Traits.CastToBytes(c.vals))
	}
	data := array.NewData(t, n, []*memory.Buffer{valid, vals}, nil, nullCount, 0)
	releaseBuffers(valid, vals)
	defer data.Release()
	return array.MakeFromData(data)
}

// floatArray returns vals as an Arrow Float64 array.
func floatArray(mem memory.Allocator, vals []float64, nulls []bool) arrow.Array {
	valid, nullCount := validity(mem, nulls)
	buf := newBuffer(mem, arrow.Float64Traits.CastToBytes(vals))
	data := array.NewData(arrow.PrimitiveTypes.Float64, len(vals),
		[]*memory.Buffer{valid, buf}, nil, nullCount, 0)
	releaseBuffers(valid, buf)
	defer data.Release()
	return array.MakeFromData(data)
}

// array returns the column as an Arrow String array.
func (c *strColumn) array(mem memory.Allocator) arrow.Array {
	n := len(c.offs)
	offs := memory.NewResizableBuffer(mem)
	offs.Resize((n + 1) * 4)
	o := arrow.Int32Traits.CastFromBytes(offs.Bytes())
	o[0] = 0
	copy(o[1:], c.offs)
	vals := newBuffer(mem, c.data)
	data := array.NewData(arrow.BinaryTypes.String, n, []*memory.Buffer{nil, offs, vals},
		nil, 0, 0)
	releaseBuffers(offs, vals)
	defer data.Release()
	return array.MakeFromData(data)
}

func releaseBuffers(bufs ...*memory.Buffer) {
	for _, b := range bufs {
		if b != nil {
			b.Release()
		}
	}
}

// splitMix is the SplitMix64 generator: one addition and two multiplications a number, good
// enough for test data, and seeded from any 64-bit value.
type splitMix struct{ s uint64 }

// newSplitMix returns a generator for the stream named by seed and key, so that each key (an
// event number, a column) gets numbers of its own.
func newSplitMix(seed, key uint64) splitMix {
	return splitMix{s: mix64(seed^0x6a09e667f3bcc909) ^ mix64(key+0x9e3779b97f4a7c15)}
}

func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (r *splitMix) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	return mix64(r.s)
}

// intn returns a number in [0, n), n > 0 (Lemire's multiply and shift; the bias is below
// n/2^64).
func (r *splitMix) intn(n uint64) uint64 {
	hi, _ := bits.Mul64(r.next(), n)
	return hi
}

// float returns a number in [0, 1).
func (r *splitMix) float() float64 {
	return float64(r.next()>>11) / (1 << 53)
}

// appendLetters appends n random lower-case letters to dst, thirteen from each number.
func (r *splitMix) appendLetters(dst []byte, n int) []byte {
	for n > 0 {
		v := r.next()
		k := min(n, 13)
		for range k {
			dst = append(dst, byte('a'+v%26))
			v /= 26
		}
		n -= k
	}
	return dst
}
