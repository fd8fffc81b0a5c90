package exec

import (
	"io"
	"math"
	"sort"
	"strings"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/weirsql/weir/functions"
)

// compactSlack is how many rows the held batches may hold beyond twice the rows that still
// wait before the waiting rows are copied out of them (see holdBack.compact).
const compactSlack = 4096

// holdBack keeps the rows that wait for a lead value over a stream. Every input batch is
// kept, with the analytic columns computed on arrival, until each of its rows has been
// emitted; a row is emitted once every lead of it is known. Batches that hold few waiting
// rows are compacted, so that the memory held stays proportional to the rows that wait: at
// most Offset rows per partition of each lead.
type holdBack struct {
	a        *Analytic
	leads    []int // for each function, its index among the leads held back, or -1
	n        int   // the leads held back
	inputs   int   // the input's columns, before the analytic ones
	batches  []*heldBatch
	ready    []heldRef // rows completed by the current batch, to emit
	seq      int64     // the arrival number of the next row
	waiting  int       // rows held and not emitted
	retained int       // rows of the held batches
	total    int64     // the held batches' sizes, summed
	done     bool
}

// heldBatch is an input batch some of whose rows wait.
type heldBatch struct {
	cols  []arrow.Array // the output's columns; nil for the leads held back
	leads [][]cell      // per lead held back, per row: its value, the default until known
	waits []int32       // per row: how many of its leads are not known yet
	seqs  []int64       // per row: its arrival number
	by    []int64       // per row: the latest arrival number of a row that gave it a lead
	left  int           // rows not emitted yet
	size  int64         // its bytes: the columns, the lead cells and their strings, the rows
}

// heldRowBytes is what each held row takes beside its columns and its leads' strings: a
// cell per lead held back, waits, seqs and by.
func (h *holdBack) heldRowBytes() int64 {
	return int64(h.n)*int64(unsafe.Sizeof(cell{})) + 4 + 8 + 8
}

// grow adds d bytes to hb's size and to the total.
func (h *holdBack) grow(hb *heldBatch, d int64) {
	hb.size += d
	h.total += d
}

// heldRef is a row of a held batch.
type heldRef struct {
	hb  *heldBatch
	row int32
}

// newHoldBack returns the hold-back of a's leads, or nil when there is no lead.
func newHoldBack(a *Analytic) *holdBack {
	h := &holdBack{a: a, leads: make([]int, len(a.Fns)),
		inputs: len(a.Out.Fields()) - len(a.Fns)}
	for i, fn := range a.Fns {
		h.leads[i] = -1
		if fn.Fn.Kind == functions.Lead {
			h.leads[i] = h.n
			h.n++
		}
	}
	if h.n == 0 {
		return nil
	}
	return h
}

// admit starts holding a batch of n rows, each waiting for every lead.
func (h *holdBack) admit(n int) *heldBatch {
	hb := &heldBatch{leads: make([][]cell, h.n), waits: make([]int32, n),
		seqs: make([]int64, n), by: make([]int64, n), left: n}
	for k := range hb.leads {
		hb.leads[k] = make([]cell, n)
	}
	for i := range n {
		hb.waits[i] = int32(h.n)
		hb.seqs[i] = h.seq
		h.seq++
	}
	h.batches = append(h.batches, hb)
	h.waiting += n
	h.retained += n
	h.grow(hb, int64(n)*h.heldRowBytes())
	return hb
}

// keep has hb take the batch's output columns (nil for the leads), retaining them.
func (h *holdBack) keep(hb *heldBatch, cols []arrow.Array) {
	hb.cols = make([]arrow.Array, len(cols))
	for i, c := range cols {
		if c != nil {
			c.Retain()
			hb.cols[i] = c
			h.grow(hb, dataBytes(c.Data()))
		}
	}
}

func (hb *heldBatch) release() {
	releaseAll(hb.cols)
	hb.cols = nil
}

// lead passes the rows of one batch, in arrival order, through the lead of function fi: each
// row completes the row Offset before it in its partition, and waits for its own.
func (h *holdBack) lead(fi int, fn *AnalyticFn, r *batchRows, hb *heldBatch) {
	k := h.leads[fi]
	off := int(fn.Offset)
	for _, i := range r.order {
		hb.leads[k][i] = shiftDefault(r.args, i)
		h.grow(hb, int64(len(hb.leads[k][i].str)))
		me := heldRef{hb, int32(i)}
		if off == 0 {
			h.resolve(k, me, cellAt(r.args[0], i), hb.seqs[i])
			continue
		}
		p := r.part[i]
		if len(p.held) == off {
			first := p.held[0]
			copy(p.held, p.held[1:])
			p.held = p.held[:off-1]
			h.resolve(k, first, cellAt(r.args[0], i), hb.seqs[i])
		}
		p.held = append(p.held, me)
	}
}

// resolve sets lead k of ref to c; by is the arrival number of the row c comes from.
func (h *holdBack) resolve(k int, ref heldRef, c cell, by int64) {
	hb, i := ref.hb, ref.row
	h.grow(hb, int64(len(c.str)-len(hb.leads[k][i].str)))
	hb.leads[k][i] = c
	hb.by[i] = max(hb.by[i], by)
	hb.waits[i]--
	if hb.waits[i] == 0 {
		h.ready = append(h.ready, ref)
	}
}

// emit returns the rows completed by the current batch, in the order of the rows that
// completed them, then of their arrival.
func (h *holdBack) emit() (arrow.RecordBatch, error) {
	refs := h.ready
	sort.Slice(refs, func(x, y int) bool {
		a, b := refs[x], refs[y]
		if ba, bb := a.hb.by[a.row], b.hb.by[b.row]; ba != bb {
			return ba < bb
		}
		return a.hb.seqs[a.row] < b.hb.seqs[b.row]
	})
	h.ready = nil
	out, err := h.batch(refs)
	if err != nil {
		return nil, err
	}
	for _, r := range refs {
		r.hb.left--
	}
	h.waiting -= len(refs)
	h.sweep()
	if err := h.compact(); err != nil {
		out.Release()
		return nil, err
	}
	return out, nil
}

// flush emits every row still waiting, in arrival order, with the defaults of the leads it
// waits for: the input has ended.
func (h *holdBack) flush() (arrow.RecordBatch, error) {
	defer h.release()
	refs := h.waitingRows()
	if len(refs) == 0 {
		return nil, io.EOF
	}
	return h.batch(refs)
}

// waitingRows lists the rows not emitted yet, in arrival order.
func (h *holdBack) waitingRows() []heldRef {
	refs := make([]heldRef, 0, h.waiting)
	for _, hb := range h.batches {
		for i, w := range hb.waits {
			if w > 0 {
				refs = append(refs, heldRef{hb, int32(i)})
			}
		}
	}
	return refs
}

// batch builds the output batch of the given rows.
func (h *holdBack) batch(refs []heldRef) (arrow.RecordBatch, error) {
	cols, err := h.columns(refs, true)
	if err != nil {
		return nil, err
	}
	defer releaseAll(cols)
	return array.NewRecordBatch(h.a.Out, cols, int64(len(refs))), nil
}

// columns gathers the output columns of the given rows; the leads' columns only when leads
// is set (nil otherwise).
func (h *holdBack) columns(refs []heldRef, leads bool) ([]arrow.Array, error) {
	fields := h.a.Out.Fields()
	cols := make([]arrow.Array, len(fields))
	for c, f := range fields {
		k := -1
		if c >= h.inputs {
			k = h.leads[c-h.inputs]
		}
		if k >= 0 && !leads {
			continue
		}
		b := array.NewBuilder(h.a.Env.Mem, f.Type)
		b.Reserve(len(refs))
		for _, r := range refs {
			if k >= 0 {
				appendHeld(b, r.hb.leads[k][r.row])
			} else if err := appendCell(b, r.hb.cols[c], int(r.row)); err != nil {
				b.Release()
				releaseAll(cols)
				return nil, err
			}
		}
		cols[c] = b.NewArray()
		b.Release()
	}
	return cols, nil
}

// sweep releases the batches whose rows have all been emitted.
func (h *holdBack) sweep() {
	live := h.batches[:0]
	for _, hb := range h.batches {
		if hb.left > 0 {
			live = append(live, hb)
			continue
		}
		h.retained -= len(hb.waits)
		h.total -= hb.size
		hb.release()
	}
	clear(h.batches[len(live):])
	h.batches = live
}

// compact copies the waiting rows into one batch when the held batches are mostly rows
// already emitted, and points the partitions' waiting rows at their copies.
func (h *holdBack) compact() error {
	if h.retained <= 2*h.waiting+compactSlack {
		return nil
	}
	refs := h.waitingRows()
	cols, err := h.columns(refs, false)
	if err != nil {
		return err
	}
	nb := &heldBatch{cols: cols, leads: make([][]cell, h.n), waits: make([]int32, len(refs)),
		seqs: make([]int64, len(refs)), by: make([]int64, len(refs)), left: len(refs)}
	for k := range nb.leads {
		nb.leads[k] = make([]cell, len(refs))
	}
	moved := map[*heldBatch][]int32{}
	for j, r := range refs {
		for k := range nb.leads {
			nb.leads[k][j] = r.hb.leads[k][r.row]
		}
		nb.waits[j], nb.seqs[j], nb.by[j] = r.hb.waits[r.row], r.hb.seqs[r.row], r.hb.by[r.row]
		to := moved[r.hb]
		if to == nil {
			to = make([]int32, len(r.hb.waits))
			moved[r.hb] = to
		}
		to[r.row] = int32(j)
	}
	for fi, k := range h.leads {
		if k < 0 {
			continue
		}
		for _, p := range h.a.state[fi] {
			for j, r := range p.held {
				p.held[j] = heldRef{nb, moved[r.hb][r.row]}
			}
		}
	}
	for _, hb := range h.batches {
		hb.release()
	}
	h.batches = []*heldBatch{nb}
	h.retained = len(refs)
	h.total = 0
	h.grow(nb, int64(len(refs))*h.heldRowBytes())
	for _, c := range cols {
		if c != nil {
			h.grow(nb, dataBytes(c.Data()))
		}
	}
	for _, l := range nb.leads {
		for _, c := range l {
			h.grow(nb, int64(len(c.str)))
		}
	}
	return nil
}

// bytes is the size of the held batches: their columns and what each row waits with.
func (h *holdBack) bytes() int64 { return h.total }

// release lets go of every held batch.
func (h *holdBack) release() {
	for _, hb := range h.batches {
		hb.release()
	}
	h.batches = nil
	h.waiting, h.retained, h.total = 0, 0, 0
}

// cell is one value held apart from its batch: lag's earlier values, lead's later ones.
type cell struct {
	null bool
	bits int64  // BIGINT, TIMESTAMP and INTERVAL; DOUBLE as its bits; BOOLEAN as 0 or 1
	str  string // VARCHAR, copied out of the batch
}

// cellAt copies row i of a.
func cellAt(a arrow.Array, i int) cell {
	if cellIsNull(a, i) {
		return cell{null: true}
	}
	switch x := a.(type) {
	case *array.Int64:
		return cell{bits: x.Value(i)}
	case *array.Float64:
		return cell{bits: int64(math.Float64bits(x.Value(i)))}
	case *array.Timestamp:
		return cell{bits: int64(x.Value(i))}
	case *array.Duration:
		return cell{bits: int64(x.Value(i))}
	case *array.Boolean:
		return cell{bits: int64(b2i(x.Value(i)))}
	case *array.String:
		return cell{str: strings.Clone(x.Value(i))}
	}
	return cell{null: true}
}

// appendHeld appends c to b, a builder of c's type.
func appendHeld(b array.Builder, c cell) {
	if c.null {
		b.AppendNull()
		return
	}
	switch bb := b.(type) {
	case *array.Int64Builder:
		bb.Append(c.bits)
	case *array.Float64Builder:
		bb.Append(math.Float64frombits(uint64(c.bits)))
	case *array.TimestampBuilder:
		bb.Append(arrow.Timestamp(c.bits))
	case *array.DurationBuilder:
		bb.Append(arrow.Duration(c.bits))
	case *array.BooleanBuilder:
		bb.Append(c.bits != 0)
	case *array.StringBuilder:
		bb.Append(c.str)
	default:
		b.AppendNull()
	}
}

// buildCells builds an array of type t from cells.
func buildCells(mem memory.Allocator, t arrow.DataType, cells []cell) (arrow.Array, error) {
	b := array.NewBuilder(mem, t)
	defer b.Release()
	b.Reserve(len(cells))
	for _, c := range cells {
		appendHeld(b, c)
	}
	return b.NewArray(), nil
}
