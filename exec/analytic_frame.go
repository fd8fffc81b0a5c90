package exec

import (
	"unsafe"

	"github.com/weirsql/weir/functions"
)

// partition is what one partition of one analytic function remembers between its rows.
type partition struct {
	id   int   // its number, in the order partitions are made (for sorting rows by partition)
	rows int64 // rows so far (row_number, rank)

	// frame functions
	kept          frameRows            // the earlier rows a bounded frame may still need
	stats         functions.FrameStats // the running statistics of an unbounded frame
	first, latest int64                // unbounded: the first row's start, the latest end
	started       bool

	rank      int64
	lastOrder []byte // the ORDER BY key of the previous row, for rank
	ema       float64
	hasEMA    bool
	prev      []cell    // lag: the values of the last Offset rows, oldest first
	held      []heldRef // lead over a stream: the rows that wait for a later one, oldest first

	keyBytes int64 // the length of its key in the map
	bytes    int64 // its size when last measured
	gen      int64 // the batch that last measured it
}

// mapEntryBytes is what a map entry costs beside its key's bytes: the key's string header,
// the pointer and the map's own bookkeeping.
const mapEntryBytes = 48

// size estimates the heap bytes p takes, with its map entry.
func (p *partition) size() int64 {
	k := &p.kept
	n := int64(unsafe.Sizeof(*p)) + p.keyBytes + mapEntryBytes +
		int64(cap(k.vals)*8+cap(k.ok)+cap(k.starts)*8+cap(k.ends)*8) +
		int64(cap(p.lastOrder)) + int64(cap(p.prev))*int64(unsafe.Sizeof(cell{})) +
		int64(cap(p.held))*int64(unsafe.Sizeof(heldRef{}))
	for _, c := range p.prev {
		n += int64(len(c.str))
	}
	return n
}

// frameRows holds rows of a partition for bounded frames, oldest first, in parallel slices
// from head on; dropped rows before head are reclaimed once they are half of the slices.
type frameRows struct {
	vals   []float64
	ok     []bool
	starts []int64
	ends   []int64
	head   int
}

func (k *frameRows) len() int { return len(k.vals) - k.head }

func (k *frameRows) push(v float64, ok bool, start, end int64) {
	k.vals = append(k.vals, v)
	k.ok = append(k.ok, ok)
	k.starts = append(k.starts, start)
	k.ends = append(k.ends, end)
}

// keepLast drops all but the last n rows.
func (k *frameRows) keepLast(n int) {
	if d := k.len() - n; d > 0 {
		k.dropFront(d)
	}
}

// dropBefore drops the oldest rows while they start before t.
func (k *frameRows) dropBefore(t int64) {
	d := 0
	for d < k.len() && k.starts[k.head+d] < t {
		d++
	}
	k.dropFront(d)
}

func (k *frameRows) dropFront(d int) {
	k.head += d
	if k.head < 32 || 2*k.head < len(k.vals) {
		return
	}
	n := copy(k.vals, k.vals[k.head:])
	copy(k.ok, k.ok[k.head:])
	copy(k.starts, k.starts[k.head:])
	copy(k.ends, k.ends[k.head:])
	k.vals, k.ok, k.starts, k.ends = k.vals[:n], k.ok[:n], k.starts[:n], k.ends[:n]
	k.head = 0
}

// frameValues computes a frame function for a group of rows of p, in order: one row, or a
// run of peers when the frame reaches peers. It folds the rows into p first, so that each
// row's frame holds the whole group.
func (p *partition) frameValues(fn *AnalyticFn, r *batchRows, group []int,
	stats *functions.FrameStats, out []float64, valid []bool) {
	f := fn.Frame
	value := fn.Fn.Value
	if f.Unbounded {
		for _, i := range group {
			if !p.started {
				p.first, p.latest, p.started = r.starts[i], r.ends[i], true
			}
			p.latest = max(p.latest, r.ends[i])
			if r.ok[i] {
				p.stats.Add(r.vals[i])
			}
		}
		p.stats.Seconds = float64(p.latest-p.first) / 1e6
		for _, i := range group {
			out[i], valid[i] = value(&p.stats, r.vals[i], r.ok[i])
		}
		return
	}
	for _, i := range group {
		p.kept.push(r.vals[i], r.ok[i], r.starts[i], r.ends[i])
	}
	k := &p.kept
	if f.Range > 0 {
		t := r.starts[group[0]]
		lo := t - f.Range
		k.dropBefore(lo)
		stats.Reset()
		for j := k.head; j < len(k.vals); j++ {
			if k.ok[j] && k.starts[j] <= t {
				stats.Add(k.vals[j])
			}
		}
		for _, i := range group {
			stats.Seconds = float64(r.ends[i]-lo) / 1e6
			out[i], valid[i] = value(stats, r.vals[i], r.ok[i])
		}
		return
	}
	// ROWS: the current row is the last kept; its frame is Lo to Hi rows back.
	i := group[0]
	last := len(k.vals) - 1
	from, to := max(last-int(f.Lo), k.head), last-int(f.Hi)
	stats.Reset()
	if from <= to {
		end := k.ends[to]
		for j := from; j <= to; j++ {
			if k.ok[j] {
				stats.Add(k.vals[j])
			}
			end = max(end, k.ends[j])
		}
		stats.Seconds = float64(end-k.starts[from]) / 1e6
	}
	out[i], valid[i] = value(stats, r.vals[i], r.ok[i])
	k.keepLast(int(f.Lo))
}
