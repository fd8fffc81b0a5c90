package exec

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// keyColumn keeps the values of one group-key column per group slot, and encodes a row's
// value into the bytes that identify its group.
type keyColumn struct {
	t     arrow.DataType
	ints  []int64 // BIGINT, TIMESTAMP, INTERVAL, and DOUBLE bits
	strs  []string
	bools []bool
	null  []bool
	// strBytes is the length of every string key held, kept as keys change.
	strBytes int
}

func newKeyColumn(t arrow.DataType) (*keyColumn, error) {
	switch t.ID() {
	case arrow.INT64, arrow.FLOAT64, arrow.TIMESTAMP, arrow.DURATION, arrow.STRING,
		arrow.BOOL, arrow.NULL:
		return &keyColumn{t: t}, nil
	}
	return nil, fmt.Errorf("%w: group key of type %s", ErrUnsupported, t)
}

// grow makes room for slots 0..n-1.
func (k *keyColumn) grow(n int) {
	for len(k.null) < n {
		k.null = append(k.null, false)
		switch k.t.ID() {
		case arrow.STRING:
			k.strs = append(k.strs, "")
		case arrow.BOOL:
			k.bools = append(k.bools, false)
		default:
			k.ints = append(k.ints, 0)
		}
	}
}

// encode appends the key bytes of row i of a to buf.
func encodeKey(buf []byte, a arrow.Array, i int) []byte {
	if cellIsNull(a, i) {
		return append(buf, 0)
	}
	switch c := a.(type) {
	case *array.Int64:
		buf = append(buf, 1)
		return binary.LittleEndian.AppendUint64(buf, uint64(c.Value(i)))
	case *array.Float64:
		v := c.Value(i)
		if v == 0 {
			v = 0 // -0 and +0 are one group
		}
		if math.IsNaN(v) {
			v = math.NaN() // every NaN is one group
		}
		buf = append(buf, 1)
		return binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
	case *array.Timestamp:
		buf = append(buf, 1)
		return binary.LittleEndian.AppendUint64(buf, uint64(c.Value(i)))
	case *array.Duration:
		buf = append(buf, 1)
		return binary.LittleEndian.AppendUint64(buf, uint64(c.Value(i)))
	case *array.String:
		v := c.Value(i)
		buf = append(buf, 1)
		buf = binary.LittleEndian.AppendUint32(buf, uint32(len(v)))
		return append(buf, v...)
	case *array.Boolean:
		if c.Value(i) {
			return append(buf, 2)
		}
		return append(buf, 1)
	}
	return append(buf, 0)
}

// set stores row i of a as the key of slot.
func (k *keyColumn) set(slot uint32, a arrow.Array, i int) {
	if cellIsNull(a, i) {
		k.null[slot] = true
		return
	}
	k.null[slot] = false
	switch c := a.(type) {
	case *array.Int64:
		k.ints[slot] = c.Value(i)
	case *array.Float64:
		k.ints[slot] = int64(math.Float64bits(c.Value(i)))
	case *array.Timestamp:
		k.ints[slot] = int64(c.Value(i))
	case *array.Duration:
		k.ints[slot] = int64(c.Value(i))
	case *array.String:
		k.strBytes += len(c.Value(i)) - len(k.strs[slot])
		k.strs[slot] = string([]byte(c.Value(i))) // copy out of the batch's buffer
	case *array.Boolean:
		k.bools[slot] = c.Value(i)
	}
}

// compare orders the keys of two slots: NULLs last, NaN above every number.
func (k *keyColumn) compare(a, b uint32) int {
	na, nb := k.null[a], k.null[b]
	switch {
	case na && nb:
		return 0
	case na:
		return 1
	case nb:
		return -1
	}
	switch k.t.ID() {
	case arrow.STRING:
		return cmp3(k.strs[a], k.strs[b])
	case arrow.BOOL:
		return cmp3(b2i(k.bools[a]), b2i(k.bools[b]))
	case arrow.FLOAT64:
		fa := math.Float64frombits(uint64(k.ints[a]))
		fb := math.Float64frombits(uint64(k.ints[b]))
		switch {
		case math.IsNaN(fa) && math.IsNaN(fb):
			return 0
		case math.IsNaN(fa):
			return 1
		case math.IsNaN(fb):
			return -1
		}
		return cmp3(fa, fb)
	}
	return cmp3(k.ints[a], k.ints[b])
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func cmp3[T int | int64 | float64 | string](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// build returns an array of the keys of the given slots.
func (k *keyColumn) build(mem memory.Allocator, slots []uint32) arrow.Array {
	b := array.NewBuilder(mem, k.t)
	defer b.Release()
	b.Reserve(len(slots))
	for _, s := range slots {
		if k.null[s] {
			b.AppendNull()
			continue
		}
		switch bb := b.(type) {
		case *array.Int64Builder:
			bb.Append(k.ints[s])
		case *array.Float64Builder:
			bb.Append(math.Float64frombits(uint64(k.ints[s])))
		case *array.TimestampBuilder:
			bb.Append(arrow.Timestamp(k.ints[s]))
		case *array.DurationBuilder:
			bb.Append(arrow.Duration(k.ints[s]))
		case *array.StringBuilder:
			bb.Append(k.strs[s])
		case *array.BooleanBuilder:
			bb.Append(k.bools[s])
		default:
			b.AppendNull()
		}
	}
	return b.NewArray()
}

// heapBytes estimates the heap bytes the column holds.
func (k *keyColumn) heapBytes() int {
	return len(k.null) + 8*len(k.ints) + len(k.bools) + 16*len(k.strs) + k.strBytes
}

// copySlot copies the key of slot src to slot dst.
func (k *keyColumn) copySlot(dst, src uint32) {
	k.null[dst] = k.null[src]
	switch k.t.ID() {
	case arrow.STRING:
		k.strBytes += len(k.strs[src]) - len(k.strs[dst])
		k.strs[dst] = k.strs[src]
	case arrow.BOOL:
		k.bools[dst] = k.bools[src]
	default:
		k.ints[dst] = k.ints[src]
	}
}
