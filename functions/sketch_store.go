package functions

import (
	"errors"
	"math"

	enc "github.com/DataDog/sketches-go/ddsketch/encoding"
	"github.com/DataDog/sketches-go/ddsketch/pb/sketchpb"
	"github.com/DataDog/sketches-go/ddsketch/store"
)

// compactStore is a DDSketch bin store that spends four bytes per non-empty bin: a sorted
// slice of uint32 entries, each the bin's index (biased to be positive) in the high 17 bits and
// its count in the low 15. A bin whose count passes 32,767 continues in a second entry with
// the same index. A window of a few values costs a few bytes; at most 512 entries (2 KB) are
// kept, which at 1% accuracy covers values within a factor of about 25,000 of the largest,
// where sketches-go's dense stores take 5 KB and its sparse store a map.
//
// Counts are whole numbers: AddWithCount rounds, and Reweight accepts only 1.
type compactStore struct {
	bins []uint32
}

const (
	binCountBits = 15
	maxBinCount  = 1<<binCountBits - 1
	binIndexBias = 1 << 16   // added to an index to make it positive
	maxBinKey    = 1<<17 - 1 // the largest biased index an entry holds
	binKeyMask   = uint32(maxBinKey) << binCountBits
)

var (
	errEmptyStore   = errors.New("the store is empty")
	errReweightBins = errors.New("compact store: counts are whole numbers; reweighting by a " +
		"factor other than 1 is not supported")
)

// binKey biases an index, clamped to the range an entry holds (the 1% mapping
// never leaves it: its indices lie within about ±36,000).
func binKey(index int) uint32 {
	return uint32(min(max(index+binIndexBias, 0), maxBinKey))
}

func binIndex(e uint32) int    { return int(e>>binCountBits) - binIndexBias }
func binCount(e uint32) uint64 { return uint64(e & maxBinCount) }

// search returns the position of the first entry whose key is at least key.
func (s *compactStore) search(key uint32) int {
	lo, hi := 0, len(s.bins)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if s.bins[m]>>binCountBits < key {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// maxStoreEntries bounds a store to 2 KB of bins: past it, the bins at the low end of the
// values are folded together (see makeRoom).
const maxStoreEntries = 512

// add adds count to the bin of index; a full store folds its lowest bins.
func (s *compactStore) add(index int, count uint64) { s.addBounded(index, count, false) }

// addBounded adds count to the bin of index. A full store makes room by folding its lowest
// bin into the next, or its highest into the one before when high is set (the store of the
// negative values, whose highest indices are the lowest values).
func (s *compactStore) addBounded(index int, count uint64, high bool) {
	if count == 0 {
		return
	}
	key := binKey(index)
	if len(s.bins) >= maxStoreEntries {
		if i := s.search(key); i == len(s.bins) || s.bins[i]>>binCountBits != key {
			key = s.makeRoom(key, high) // a new bin: fold one first
		}
	}
	s.insert(key, count)
}

// insert adds count to the bin of key, adding entries as needed.
func (s *compactStore) insert(key uint32, count uint64) {
	i := s.search(key)
	for ; i < len(s.bins) && s.bins[i]>>binCountBits == key; i++ {
		take := min(maxBinCount-binCount(s.bins[i]), count)
		s.bins[i] += uint32(take)
		if count -= take; count == 0 {
			return
		}
	}
	for count > 0 {
		take := min(count, maxBinCount)
		if len(s.bins) == cap(s.bins) {
			// Grow by doubling, but not past the bound, so that a full store holds 2 KB.
			c := min(max(2, 2*cap(s.bins)), maxStoreEntries)
			if c <= len(s.bins) {
				c = len(s.bins) + 1 // counts past 32,767 per entry overflow the bound
			}
			s.bins = append(make([]uint32, 0, c), s.bins...)
		}
		s.bins = s.bins[:len(s.bins)+1]
		copy(s.bins[i+1:], s.bins[i:])
		s.bins[i] = key<<binCountBits | uint32(take)
		count -= take
		i++
	}
}

// makeRoom is called when the store is full and a value of bin key arrives. A key at or
// beyond the lowest bin (highest, when high) goes into that bin; otherwise the lowest bin is
// folded into the next one (or into key's, when key comes first), which frees an entry. Only
// the lowest values lose the sketch's accuracy: they are counted as the bin they are folded
// into.
func (s *compactStore) makeRoom(key uint32, high bool) uint32 {
	n := len(s.bins)
	if !high {
		lowest := s.bins[0] >> binCountBits
		if key <= lowest {
			return lowest
		}
		j, folded := 0, uint64(0)
		for ; j < n && s.bins[j]>>binCountBits == lowest; j++ {
			folded += binCount(s.bins[j])
		}
		next := key
		if j < n {
			next = min(key, s.bins[j]>>binCountBits)
		}
		s.bins = s.bins[:copy(s.bins, s.bins[j:])]
		s.insert(next, folded)
		return key
	}
	highest := s.bins[n-1] >> binCountBits
	if key >= highest {
		return highest
	}
	j, folded := n, uint64(0)
	for ; j > 0 && s.bins[j-1]>>binCountBits == highest; j-- {
		folded += binCount(s.bins[j-1])
	}
	prev := key
	if j > 0 {
		prev = max(key, s.bins[j-1]>>binCountBits)
	}
	s.bins = s.bins[:j]
	s.insert(prev, folded)
	return key
}

// merge adds every bin of o, walking both sorted lists once when o is large, then folds the
// lowest bins (highest, when high) until the store is within its bound.
func (s *compactStore) merge(o *compactStore, high bool) {
	if len(o.bins) <= 8 {
		for _, e := range o.bins {
			s.addBounded(binIndex(e), binCount(e), high)
		}
		return
	}
	out := make([]uint32, 0, len(s.bins)+len(o.bins))
	a, b := s.bins, o.bins
	for len(a) > 0 || len(b) > 0 {
		var e uint32
		if len(b) == 0 || len(a) > 0 && a[0]>>binCountBits <= b[0]>>binCountBits {
			e, a = a[0], a[1:]
		} else {
			e, b = b[0], b[1:]
		}
		// Fold e into the last entry when they share a bin and the count fits.
		if n := len(out); n > 0 && out[n-1]&binKeyMask == e&binKeyMask &&
			binCount(out[n-1])+binCount(e) <= maxBinCount {
			out[n-1] += e & maxBinCount
			continue
		}
		out = append(out, e)
	}
	s.bins = out
	for len(s.bins) > maxStoreEntries {
		k := len(s.bins)
		if high {
			s.makeRoom(0, true) // a key below every bin: the highest bin is folded
		} else {
			s.makeRoom(maxBinKey, false) // a key above every bin: the lowest is folded
		}
		if len(s.bins) >= k {
			break // every entry is full: nothing folds further
		}
	}
	s.bins = append(make([]uint32, 0, min(len(s.bins), maxStoreEntries)), s.bins...)
}

// total is the number of values in the store.
func (s *compactStore) total() uint64 {
	var n uint64
	for _, e := range s.bins {
		n += binCount(e)
	}
	return n
}

// keyAt returns the index of the bin holding the value of 0-based rank r; r must be below
// the total.
func (s *compactStore) keyAt(r uint64) int {
	var n uint64
	for _, e := range s.bins {
		if n += binCount(e); n > r {
			return binIndex(e)
		}
	}
	if len(s.bins) == 0 {
		return 0
	}
	return binIndex(s.bins[len(s.bins)-1])
}

// sizeBytes is the heap memory of the bins.
func (s *compactStore) sizeBytes() int { return cap(s.bins) * 4 }

// The store.Store interface, so that a compactStore can back a ddsketch.DDSketch (for
// encoding and for checking weir's quantiles against the library's).

func (s *compactStore) Add(index int)        { s.add(index, 1) }
func (s *compactStore) AddBin(bin store.Bin) { s.AddWithCount(bin.Index(), bin.Count()) }
func (s *compactStore) IsEmpty() bool        { return len(s.bins) == 0 }
func (s *compactStore) Clear()               { s.bins = s.bins[:0] }
func (s *compactStore) TotalCount() float64  { return float64(s.total()) }
func (s *compactStore) KeyAtRank(r float64) int {
	if r < 0 {
		r = 0
	}
	return s.keyAt(uint64(r))
}

func (s *compactStore) AddWithCount(index int, count float64) {
	if count > 0 {
		s.add(index, uint64(math.Round(count)))
	}
}

func (s *compactStore) Bins() <-chan store.Bin {
	bins := append([]uint32(nil), s.bins...)
	ch := make(chan store.Bin)
	go func() {
		defer close(ch)
		for _, e := range bins {
			b, _ := store.NewBin(binIndex(e), float64(binCount(e)))
			ch <- *b
		}
	}()
	return ch
}

func (s *compactStore) ForEach(f func(index int, count float64) (stop bool)) {
	for _, e := range s.bins {
		if f(binIndex(e), float64(binCount(e))) {
			return
		}
	}
}

func (s *compactStore) Copy() store.Store {
	return &compactStore{bins: append([]uint32(nil), s.bins...)}
}

func (s *compactStore) MaxIndex() (int, error) {
	if len(s.bins) == 0 {
		return 0, errEmptyStore
	}
	return binIndex(s.bins[len(s.bins)-1]), nil
}

func (s *compactStore) MinIndex() (int, error) {
	if len(s.bins) == 0 {
		return 0, errEmptyStore
	}
	return binIndex(s.bins[0]), nil
}

func (s *compactStore) MergeWith(other store.Store) {
	if o, ok := other.(*compactStore); ok {
		s.merge(o, false)
		return
	}
	other.ForEach(func(index int, count float64) bool {
		s.AddWithCount(index, count)
		return false
	})
}

func (s *compactStore) ToProto() *sketchpb.Store {
	counts := map[int32]float64{}
	s.ForEach(func(index int, count float64) bool {
		counts[int32(index)] += count
		return false
	})
	return &sketchpb.Store{BinCounts: counts}
}

func (s *compactStore) EncodeProto(builder *sketchpb.StoreBuilder) {
	for index, count := range s.ToProto().BinCounts {
		builder.AddBinCounts(func(w *sketchpb.Store_BinCountsEntryBuilder) {
			w.SetKey(index)
			w.SetValue(count)
		})
	}
}

func (s *compactStore) Reweight(w float64) error {
	if w != 1 {
		return errReweightBins
	}
	return nil
}

func (s *compactStore) Encode(b *[]byte, t enc.FlagType) {
	if len(s.bins) == 0 {
		return
	}
	enc.EncodeFlag(b, enc.NewFlag(t, enc.BinEncodingIndexDeltasAndCounts))
	enc.EncodeUvarint64(b, uint64(len(s.bins)))
	prev := 0
	for _, e := range s.bins {
		enc.EncodeVarint64(b, int64(binIndex(e)-prev))
		enc.EncodeVarfloat64(b, float64(binCount(e)))
		prev = binIndex(e)
	}
}

func (s *compactStore) DecodeAndMergeWith(b *[]byte, mode enc.SubFlag) error {
	return store.DecodeAndMergeWith(s, b, mode)
}

var _ store.Store = (*compactStore)(nil)
