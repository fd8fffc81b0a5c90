package exec

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// keyColumn keeps the values of one group-key column per key id (see keyIndex).
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

// encodeKey appends the key bytes of row i of a to buf (the analytic operators' partition
// keys; the aggregate encodes a whole batch at once, see keyIndex).
func encodeKey(buf []byte, a arrow.Array, i int) []byte {
	if cellIsNull(a, i) {
		return append(buf, 0)
	}
	switch c := a.(type) {
	case *array.Int64:
		buf = append(buf, 1)
		return binary.LittleEndian.AppendUint64(buf, uint64(c.Value(i)))
	case *array.Float64:
		buf = append(buf, 1)
		return binary.LittleEndian.AppendUint64(buf, floatKey(c.Value(i)))
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

// floatKey is the key bits of a DOUBLE: -0 and +0 are one group, and so is every NaN.
func floatKey(v float64) uint64 {
	if v == 0 {
		return 0
	}
	if v != v {
		return math.Float64bits(math.NaN())
	}
	return math.Float64bits(v)
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

// clear drops the value of id, whose key is gone.
func (k *keyColumn) clear(id uint32) {
	if k.t.ID() == arrow.STRING {
		k.strBytes -= len(k.strs[id])
		k.strs[id] = ""
	}
}

// compare orders the keys of two ids: NULLs last, NaN above every number.
// integer reports whether the column's values compare as the integers in ints.
func (k *keyColumn) integer() bool {
	switch k.t.ID() {
	case arrow.INT64, arrow.TIMESTAMP, arrow.DURATION:
		return true
	}
	return false
}

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

// build returns an array of the keys of the given ids.
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

// wordTable is an open-addressing hash table (linear probing, backward-shift deletion) from
// keys of a fixed number of 64-bit words to uint32 values. The keys live inline in the
// buckets, so a lookup touches one or two cache lines and allocates nothing; a bucket costs
// 4 + 8·w bytes, and the table stays between 3/8 and 3/4 full. Keys of two words, the common
// case, have their own hash and lookup.
type wordTable struct {
	w     int      // words per key
	shift uint     // 64 - log2(buckets): a bucket is the top bits of the hash
	mask  int      // buckets - 1
	vals  []uint32 // value + 1 per bucket; 0 marks an empty bucket
	keys  []uint64 // w words per bucket
	n     int
}

func newWordTable(w int) wordTable {
	t := wordTable{w: w}
	t.resize(16)
	return t
}

func (t *wordTable) resize(buckets int) {
	old := *t
	t.shift = uint(64 - bits.TrailingZeros(uint(buckets)))
	t.mask = buckets - 1
	t.vals = make([]uint32, buckets)
	t.keys = make([]uint64, buckets*t.w)
	t.n = 0
	for b, v := range old.vals {
		if v != 0 {
			key := old.keys[b*t.w : (b+1)*t.w]
			t.insert(key, t.hash(key), v-1)
		}
	}
}

// hash is the hash of a key of the table.
func (t *wordTable) hash(key []uint64) uint64 {
	if t.w == 2 {
		return hash2(key[0], key[1])
	}
	return hashWords(key)
}

// hash2 hashes a key of two words; its top bits pick the bucket.
func hash2(a, b uint64) uint64 {
	return (a*0x9e3779b97f4a7c15 + b) * 0xc2b2ae3d27d4eb4f
}

// hashWords hashes a key of any number of words.
func hashWords(words []uint64) uint64 {
	h := uint64(0x9e3779b97f4a7c15)
	for _, x := range words {
		h = bits.RotateLeft64((h^x)*0xff51afd7ed558ccd, 29)
	}
	return h * 0xc2b2ae3d27d4eb4f
}

// find returns the bucket holding key, whose hash is h, or -1.
func (t *wordTable) find(key []uint64, h uint64) int {
	w := t.w
	for b := int(h >> t.shift); ; b = (b + 1) & t.mask {
		if t.vals[b] == 0 {
			return -1
		}
		if slices.Equal(t.keys[b*w:b*w+w], key) {
			return b
		}
	}
}

// get returns the value of key, whose hash is h.
func (t *wordTable) get(key []uint64, h uint64) (uint32, bool) {
	if t.w == 2 {
		return t.get2(key[0], key[1])
	}
	if b := t.find(key, h); b >= 0 {
		return t.vals[b] - 1, true
	}
	return 0, false
}

// get2 returns the value of the two-word key (a, b) of a table of two-word keys.
func (t *wordTable) get2(a, b uint64) (uint32, bool) {
	keys, vals := t.keys, t.vals
	for i := int(hash2(a, b) >> t.shift); ; i = (i + 1) & t.mask {
		v := vals[i]
		if v == 0 {
			return 0, false
		}
		if keys[2*i] == a && keys[2*i+1] == b {
			return v - 1, true
		}
	}
}

// insert adds key, which must not be in the table, with value v; h is its hash.
func (t *wordTable) insert(key []uint64, h uint64, v uint32) {
	if 4*(t.n+1) > 3*len(t.vals) {
		t.resize(2 * len(t.vals))
	}
	b := int(h >> t.shift)
	for t.vals[b] != 0 {
		b = (b + 1) & t.mask
	}
	t.vals[b] = v + 1
	copy(t.keys[b*t.w:], key)
	t.n++
}

// remove deletes key, shifting back the entries after it so that no probe sequence breaks.
func (t *wordTable) remove(key []uint64, h uint64) {
	b := t.find(key, h)
	if b < 0 {
		return
	}
	w := t.w
	for j := b; ; {
		j = (j + 1) & t.mask
		if t.vals[j] == 0 {
			break
		}
		home := int(t.hash(t.keys[j*w:j*w+w]) >> t.shift)
		// Move j into the hole at b unless its home lies cyclically in (b, j].
		if (j > b && (home <= b || home > j)) || (j < b && home <= b && home > j) {
			t.vals[b] = t.vals[j]
			copy(t.keys[b*w:b*w+w], t.keys[j*w:j*w+w])
			b = j
		}
	}
	t.vals[b] = 0
	t.n--
	if t.n < len(t.vals)/8 && len(t.vals) > 1024 {
		t.resize(len(t.vals) / 2)
	}
}

// heapBytes is the memory the table holds.
func (t *wordTable) heapBytes() int { return len(t.vals) * (4 + 8*t.w) }

// keyIndex gives each distinct group key (the values of the GROUP BY columns, without the
// window) a small id, batch by batch: keys of fixed-width types are packed into words and
// found in a wordTable; keys with a VARCHAR column are encoded into bytes, column by column,
// and found in a map. An id lives while some slot refers to it; the caller keeps the key's
// values per id.
type keyIndex struct {
	types []arrow.DataType
	fixed bool
	w     int // words per key on the fixed path: a NULL mask, then one word per column

	table wordTable // fixed path
	// dense caches the ids of the small non-negative values of a single BIGINT-like key
	// column: id + 1 at index value, 0 when unknown. It grows up to denseLimit entries.
	dense []uint32
	strs  map[string]uint32 // byte path
	words []uint64          // fixed path: w words per id
	names []string          // byte path: the key of each id
	// nullID is the id of the NULL key of a single VARCHAR column (noKey when none): the map
	// of that path holds the strings themselves.
	nullID    uint32
	rawString bool
	bytes     int     // byte path: the length of the keys in names
	refs      []int32 // slots referring to each id
	live      []bool
	free      []uint32
	// fresh lists the ids made during the current batch and the row that made each; idle
	// the ids whose last slot went. sweep forgets those of them no slot refers to.
	fresh     []uint32
	freshRows []int
	idle      []uint32
	forgotten []uint32

	rowWords []uint64 // per-batch scratch
	rowHash  []uint64
	enc      []byte
	offs     []int
}

func newKeyIndex(types []arrow.DataType) *keyIndex {
	x := &keyIndex{types: types, fixed: len(types) <= 64, w: 1 + len(types),
		strs: map[string]uint32{}, nullID: noKey}
	for _, t := range types {
		if t.ID() == arrow.STRING {
			x.fixed = false
		}
	}
	if x.fixed {
		x.table = newWordTable(x.w)
	}
	x.rawString = len(types) == 1 && types[0].ID() == arrow.STRING
	return x
}

// lookup fills ids with the id of each row's key, making ids for new keys (listed in fresh,
// with their rows).
func (x *keyIndex) lookup(keys []arrow.Array, ids []uint32) {
	n := len(ids)
	if len(keys) == 0 {
		if len(x.refs) == 0 {
			x.newID(0)
		}
		clear(ids)
		return
	}
	if x.fixed && len(keys) == 1 {
		x.lookupOne(keys[0], ids)
		return
	}
	if x.fixed {
		x.packWords(keys, n)
		w := x.w
		for i := range ids {
			key, h := x.rowWords[i*w:(i+1)*w], x.rowHash[i]
			id, ok := x.table.get(key, h)
			if !ok {
				id = x.newID(i)
				copy(x.words[int(id)*w:], key)
				x.table.insert(key, h, id)
			}
			ids[i] = id
		}
		return
	}
	if x.rawString {
		x.lookupString(keys[0], ids)
		return
	}
	x.encodeBytes(keys, n)
	for i := range ids {
		key := x.enc[x.offs[i]:x.offs[i+1]]
		id, ok := x.strs[string(key)]
		if !ok {
			id = x.newID(i)
			x.names[id] = string(key)
			x.strs[x.names[id]] = id
			x.bytes += len(key)
		}
		ids[i] = id
	}
}

// lookupString is lookup for a single VARCHAR key column: the map is keyed by the strings
// themselves, and NULL has an id of its own.
func (x *keyIndex) lookupString(col arrow.Array, ids []uint32) {
	a, _ := col.(*array.String) // else a NULL-typed array: every row is NULL
	bm, off := validityOf(col)
	for i := range ids {
		if a == nil || nullBit(bm, off, i) {
			if x.nullID == noKey {
				x.nullID = x.newID(i)
			}
			ids[i] = x.nullID
			continue
		}
		v := a.Value(i)
		id, ok := x.strs[v]
		if !ok {
			id = x.newID(i)
			x.names[id] = strings.Clone(v) // out of the batch's buffer
			x.strs[x.names[id]] = id
			x.bytes += len(v)
		}
		ids[i] = id
	}
}

// denseLimit bounds the direct-mapped ids of small key values (256 KB).
const denseLimit = 1 << 16

// lookupOne is lookup for a single key column of a fixed-width type: each row's key is
// (NULL mask, value), found without packing, and a small non-negative integer value is
// found by indexing the dense cache.
func (x *keyIndex) lookupOne(a arrow.Array, ids []uint32) {
	vals := x.keyWords(a, len(ids))
	bm, off := validityOf(a)
	allNull := uint64(0)
	if a.DataType().ID() == arrow.NULL {
		allNull = 1
	}
	ints := a.DataType().ID() == arrow.INT64
	dense := x.dense
	for i, v := range vals {
		null := allNull
		if nullBit(bm, off, i) {
			null, v = 1, 0
		}
		if null == 0 && v < uint64(len(dense)) && dense[v] != 0 {
			ids[i] = dense[v] - 1
			continue
		}
		id, ok := x.table.get2(null, v)
		if !ok {
			id = x.newID(i)
			key := [2]uint64{null, v}
			copy(x.words[2*int(id):], key[:])
			x.table.insert(key[:], hash2(null, v), id)
		}
		if ints && null == 0 && v < denseLimit {
			if v >= uint64(len(dense)) {
				x.dense = append(x.dense, make([]uint32, min(max(2*len(dense), int(v)+1,
					64), denseLimit)-len(dense))...)
				dense = x.dense
			}
			dense[v] = id + 1
		}
		ids[i] = id
	}
}

// keyWords returns the first n values of a fixed-width column as key words (NULL rows hold
// whatever their slot holds).
func (x *keyIndex) keyWords(a arrow.Array, n int) []uint64 {
	switch a := a.(type) {
	case *array.Int64:
		x.rowWords = toWords(x.rowWords, a.Int64Values()[:n])
	case *array.Timestamp:
		x.rowWords = toWords(x.rowWords, a.TimestampValues()[:n])
	case *array.Duration:
		x.rowWords = toWords(x.rowWords, a.DurationValues()[:n])
	case *array.Float64:
		x.rowWords = slices.Grow(x.rowWords[:0], n)[:n]
		for i, v := range a.Float64Values()[:n] {
			x.rowWords[i] = floatKey(v)
		}
	case *array.Boolean:
		x.rowWords = slices.Grow(x.rowWords[:0], n)[:n]
		for i := range x.rowWords {
			x.rowWords[i] = uint64(b2i(a.Value(i)))
		}
	default: // a NULL-typed column: every row is NULL
		x.rowWords = slices.Grow(x.rowWords[:0], n)[:n]
		clear(x.rowWords)
	}
	return x.rowWords
}

func (x *keyIndex) newID(row int) uint32 {
	var id uint32
	if k := len(x.free); k > 0 {
		id = x.free[k-1]
		x.free = x.free[:k-1]
	} else {
		id = uint32(len(x.refs))
		x.refs = append(x.refs, 0)
		x.live = append(x.live, false)
		if x.fixed {
			x.words = append(x.words, make([]uint64, x.w)...)
		} else {
			x.names = append(x.names, "")
		}
	}
	x.live[id] = true
	x.fresh = append(x.fresh, id)
	x.freshRows = append(x.freshRows, row)
	return id
}

// ids is how many ids have been handed out: every id is below it.
func (x *keyIndex) ids() int { return len(x.refs) }

// ref and unref count the slots that refer to an id.
func (x *keyIndex) ref(id uint32) { x.refs[id]++ }

func (x *keyIndex) unref(id uint32) {
	if x.refs[id]--; x.refs[id] <= 0 {
		x.idle = append(x.idle, id)
	}
}

// sweep forgets the ids made during the batch that no slot took (keys of late rows) and
// those whose slots have all gone; it returns them. It runs between batches, so that the ids
// of a batch's rows stay valid while the batch is folded.
func (x *keyIndex) sweep() []uint32 {
	x.forgotten = x.forgotten[:0]
	for _, list := range [][]uint32{x.fresh, x.idle} {
		for _, id := range list {
			if x.live[id] && x.refs[id] <= 0 && len(x.types) > 0 {
				x.forget(id)
			}
		}
	}
	x.fresh, x.freshRows, x.idle = x.fresh[:0], x.freshRows[:0], x.idle[:0]
	return x.forgotten
}

func (x *keyIndex) forget(id uint32) {
	x.refs[id], x.live[id] = 0, false
	if x.fixed {
		key := x.words[int(id)*x.w : int(id+1)*x.w]
		x.table.remove(key, x.table.hash(key))
		if x.w == 2 && key[0] == 0 && key[1] < uint64(len(x.dense)) {
			x.dense[key[1]] = 0
		}
	} else if id == x.nullID {
		x.nullID = noKey
	} else {
		delete(x.strs, x.names[id])
		x.bytes -= len(x.names[id])
		x.names[id] = ""
	}
	x.free = append(x.free, id)
	x.forgotten = append(x.forgotten, id)
}

// heapBytes estimates the memory of the index: the table or map, and per id its words or
// key, its count and the free list.
func (x *keyIndex) heapBytes() int {
	n := x.table.heapBytes() + 8*len(x.words) + 5*len(x.refs) + 4*cap(x.free) +
		4*cap(x.dense)
	if !x.fixed {
		// The keys, and their entries in the map (16 + 4 bytes, 7/8 full).
		n += 16*len(x.names) + x.bytes + 24*len(x.strs)
	}
	return n
}

// packWords writes each row's key words (the NULL mask, then one word per column) and hash,
// a column at a time.
func (x *keyIndex) packWords(keys []arrow.Array, n int) {
	w := x.w
	x.rowWords = slices.Grow(x.rowWords[:0], n*w)[:n*w]
	x.rowHash = slices.Grow(x.rowHash[:0], n)[:n]
	words := x.rowWords
	for i := 0; i < n; i++ {
		words[i*w] = 0
	}
	for c, a := range keys {
		col := 1 + c
		switch a := a.(type) {
		case *array.Int64:
			for i, v := range a.Int64Values()[:n] {
				words[i*w+col] = uint64(v)
			}
		case *array.Timestamp:
			for i, v := range a.TimestampValues()[:n] {
				words[i*w+col] = uint64(v)
			}
		case *array.Duration:
			for i, v := range a.DurationValues()[:n] {
				words[i*w+col] = uint64(v)
			}
		case *array.Float64:
			for i, v := range a.Float64Values()[:n] {
				words[i*w+col] = floatKey(v)
			}
		case *array.Boolean:
			for i := 0; i < n; i++ {
				words[i*w+col] = uint64(b2i(a.Value(i)))
			}
		default: // a NULL-typed column
			for i := 0; i < n; i++ {
				words[i*w] |= 1 << c
				words[i*w+col] = 0
			}
			continue
		}
		bm, off := validityOf(a)
		if bm == nil {
			continue
		}
		for i := 0; i < n; i++ {
			if nullBit(bm, off, i) {
				words[i*w] |= 1 << c
				words[i*w+col] = 0
			}
		}
	}
	for i := range x.rowHash {
		x.rowHash[i] = x.table.hash(words[i*w : (i+1)*w])
	}
}

// encodeBytes writes each row's key bytes (per column: 0 for NULL, else 1 and the value; a
// string with its length first; a BOOLEAN as 1 or 2) into enc, row i at
// enc[offs[i]:offs[i+1]], a column at a time.
func (x *keyIndex) encodeBytes(keys []arrow.Array, n int) {
	x.offs = slices.Grow(x.offs[:0], n+1)[:n+1]
	offs := x.offs
	clear(offs)
	for _, a := range keys {
		size := 9
		switch a.DataType().ID() {
		case arrow.BOOL, arrow.NULL:
			size = 1
		}
		s, _ := a.(*array.String)
		switch {
		case a.DataType().ID() == arrow.NULL:
			for i := 1; i <= n; i++ {
				offs[i]++
			}
		case s != nil:
			for i := 0; i < n; i++ {
				offs[i+1] += 5 + s.ValueLen(i)
			}
		default:
			for i := 1; i <= n; i++ {
				offs[i] += size
			}
		}
		bm, off := validityOf(a)
		switch {
		case bm == nil:
		case s != nil:
			for i := 0; i < n; i++ {
				if nullBit(bm, off, i) {
					offs[i+1] -= 4 + s.ValueLen(i)
				}
			}
		case size == 9:
			for i := 0; i < n; i++ {
				if nullBit(bm, off, i) {
					offs[i+1] -= 8
				}
			}
		}
	}
	for i := 1; i <= n; i++ {
		offs[i] += offs[i-1]
	}
	x.enc = slices.Grow(x.enc[:0], offs[n])[:offs[n]]
	x.rowHash = slices.Grow(x.rowHash[:0], n)[:n]
	pos := x.rowHash // the write position of each row
	for i := range pos {
		pos[i] = uint64(offs[i])
	}
	for _, a := range keys {
		x.encodeColumn(a, n, pos)
	}
}

// encodeColumn appends the key bytes of column a to each row at pos, advancing pos.
func (x *keyIndex) encodeColumn(a arrow.Array, n int, pos []uint64) {
	enc := x.enc
	bm, off := validityOf(a)
	switch a := a.(type) {
	case *array.String:
		for i := 0; i < n; i++ {
			p := pos[i]
			if nullBit(bm, off, i) {
				enc[p] = 0
				pos[i]++
				continue
			}
			v := a.Value(i)
			enc[p] = 1
			binary.LittleEndian.PutUint32(enc[p+1:], uint32(len(v)))
			copy(enc[p+5:], v)
			pos[i] += 5 + uint64(len(v))
		}
	case *array.Boolean:
		for i := 0; i < n; i++ {
			if nullBit(bm, off, i) {
				enc[pos[i]] = 0
			} else {
				enc[pos[i]] = byte(1 + b2i(a.Value(i)))
			}
			pos[i]++
		}
	case *array.Int64:
		x.putWords(a, toWords(x.rowWords, a.Int64Values()[:n]), pos)
	case *array.Timestamp:
		x.putWords(a, toWords(x.rowWords, a.TimestampValues()[:n]), pos)
	case *array.Duration:
		x.putWords(a, toWords(x.rowWords, a.DurationValues()[:n]), pos)
	case *array.Float64:
		words := slices.Grow(x.rowWords[:0], n)[:n]
		for i, v := range a.Float64Values()[:n] {
			words[i] = floatKey(v)
		}
		x.putWords(a, words, pos)
	default: // a NULL-typed column
		for i := 0; i < n; i++ {
			enc[pos[i]] = 0
			pos[i]++
		}
	}
}

// toWords converts fixed-width values to key words in dst's storage.
func toWords[T int64 | arrow.Timestamp | arrow.Duration](dst []uint64, vals []T) []uint64 {
	dst = slices.Grow(dst[:0], len(vals))[:len(vals)]
	for i, v := range vals {
		dst[i] = uint64(v)
	}
	return dst
}

// putWords appends each row's word of a fixed-width column a (0 for NULL, else 1 and 8 bytes).
func (x *keyIndex) putWords(a arrow.Array, words []uint64, pos []uint64) {
	x.rowWords = words
	enc := x.enc
	bm, off := validityOf(a)
	for i, v := range words {
		p := pos[i]
		if nullBit(bm, off, i) {
			enc[p] = 0
			pos[i]++
			continue
		}
		enc[p] = 1
		binary.LittleEndian.PutUint64(enc[p+1:], v)
		pos[i] += 9
	}
}

// validityOf returns a's validity bitmap and offset, or nil when a has no NULL (a NULL-typed
// array has no bitmap: callers handle it by its type).
func validityOf(a arrow.Array) ([]byte, int) {
	if a.NullN() == 0 || a.DataType().ID() == arrow.NULL {
		return nil, 0
	}
	return a.NullBitmapBytes(), a.Data().Offset()
}

// nullBit reports whether row i is NULL in the validity bitmap bm (nil: no NULLs).
func nullBit(bm []byte, off, i int) bool {
	if bm == nil {
		return false
	}
	j := off + i
	return bm[j>>3]>>(j&7)&1 == 0
}
