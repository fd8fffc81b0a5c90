package functions

import (
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/axiomhq/hyperloglog"
)

// approx_count_distinct estimates the number of distinct values with a HyperLogLog sketch of
// precision 14 (axiomhq/hyperloglog): exact-ish while a group's sketch is sparse (up to a few
// thousand distinct values), then a standard error of 0.81% in 16 KB. Hashing is
// deterministic, so sketches merge across panes, sessions and runs.

var approxCountDistinct = &Aggregate{
	Name:     "approx_count_distinct",
	Args:     "(any) -> BIGINT",
	NullRule: "skips NULLs; 0 when there is no non-NULL value",
	Summary: "estimated number of distinct values (HyperLogLog, precision 14: standard " +
		"error 0.81%, near exact below a few thousand)",
	Resolve: func(args []arrow.DataType) (arrow.DataType, error) {
		if err := oneArg("approx_count_distinct", args); err != nil {
			return nil, err
		}
		switch args[0].ID() {
		case arrow.INT64, arrow.FLOAT64, arrow.STRING, arrow.BOOL, arrow.TIMESTAMP,
			arrow.DURATION, arrow.NULL:
			return Bigint, nil
		}
		return nil, errSignature("approx_count_distinct cannot count values of type %s",
			TypeName(args[0]))
	},
	New: func(args []arrow.DataType) AggState { return &hllState{t: args[0]} },
}

// hllSparseLimit is the number of distinct values past which a sketch of precision 14 turns
// dense, and hllDenseBytes its size then.
const (
	hllSparseLimit = 1 << 14
	hllDenseBytes  = 1<<14 + 256
)

// hllBytes estimates the heap bytes of a sketch that counted about n distinct values: the
// sparse form spends about three bytes a value, the dense form 16 KB.
func hllBytes(n uint64) int {
	if n > hllSparseLimit {
		return hllDenseBytes
	}
	return 256 + 3*int(n)
}

// hllState holds a sketch per slot, made on the slot's first value. The estimate of each slot
// is refreshed after every batch that touched it, for SizeBytes.
type hllState struct {
	t        arrow.DataType
	sketches []*hyperloglog.Sketch
	est      []uint64
	touched  []uint32
	isNew    []bool // marks the slots in touched
	bytes    int
}

func (s *hllState) Grow(n int) {
	s.sketches = grow(s.sketches, n, nil)
	s.est, s.isNew = grow(s.est, n, 0), grow(s.isNew, n, false)
}

// sketch returns slot g's sketch, making it, and marks the slot touched.
func (s *hllState) sketch(g uint32) *hyperloglog.Sketch {
	if !s.isNew[g] {
		s.isNew[g] = true
		s.touched = append(s.touched, g)
	}
	sk := s.sketches[g]
	if sk == nil {
		sk = hyperloglog.New14()
		s.sketches[g] = sk
	}
	return sk
}

// mix64 spreads the bits of a fixed-width value over a 64-bit hash (SplitMix64's finalizer).
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

func (s *hllState) Update(groups []uint32, args []arrow.Array) error {
	if err := checkUpdate("approx_count_distinct", groups, args, s.t); err != nil {
		return err
	}
	a := args[0]
	if isNullType(a.DataType()) {
		return nil
	}
	bm, off := validity(a)
	if sa, ok := a.(*array.String); ok {
		for i, g := range groups {
			if bm == nil || rowValid(bm, off, i) {
				v := sa.Value(i)
				s.sketch(g).Insert(unsafe.Slice(unsafe.StringData(v), len(v)))
			}
		}
	} else {
		for i, g := range groups {
			if bm == nil || rowValid(bm, off, i) {
				s.sketch(g).InsertHash(mix64(distinctBits(a, i)))
			}
		}
	}
	for _, g := range s.touched {
		s.refresh(g)
		s.isNew[g] = false
	}
	s.touched = s.touched[:0]
	return nil
}

// refresh takes a new estimate of slot g (which also compacts a sparse sketch). A slot's bytes
// are counted once its estimate is above 0.
func (s *hllState) refresh(g uint32) {
	s.bytes -= s.counted(g)
	s.est[g] = s.sketches[g].Estimate()
	s.bytes += s.counted(g)
}

// counted is the number of bytes SizeBytes counts for slot g.
func (s *hllState) counted(g uint32) int {
	if s.est[g] == 0 {
		return 0
	}
	return hllBytes(s.est[g])
}

func (s *hllState) Merge(dst uint32, other AggState, src uint32) {
	from := other.(*hllState).sketches[src]
	if from == nil {
		return
	}
	if s.sketches[dst] == nil {
		s.sketches[dst] = from.Clone()
	} else if err := s.sketches[dst].Merge(from); err != nil {
		panic(err) // every sketch here has precision 14
	}
	s.refresh(dst)
}

func (s *hllState) Reset(slot uint32) {
	s.bytes -= s.counted(slot)
	s.sketches[slot], s.est[slot] = nil, 0
}

func (s *hllState) Append(b array.Builder, slot uint32) error {
	ib, ok := b.(*array.Int64Builder)
	if !ok {
		return builderError("approx_count_distinct", b)
	}
	var n uint64
	if sk := s.sketches[slot]; sk != nil {
		n = sk.Estimate()
	}
	ib.Append(int64(n))
	return nil
}

func (s *hllState) SizeBytes() int {
	return cap(s.sketches)*8 + cap(s.est)*8 + cap(s.isNew) + s.bytes
}

var _ AggState = (*hllState)(nil)
