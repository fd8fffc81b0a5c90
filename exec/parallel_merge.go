package exec

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// merge interleaves the workers' batches, each ordered by window start then keys, into one
// batch in that order. Rows of equal start and keys come from one worker, in its order.
func (p *ParallelAggregate) merge(outs []arrow.RecordBatch) (arrow.RecordBatch, error) {
	if len(outs) == 1 {
		outs[0].Retain()
		return outs[0], nil
	}
	base := 0
	if p.Agg.Changelog {
		base = 1
	}
	nk := len(p.Agg.Keys)
	order := func(b arrow.RecordBatch) []arrow.Array {
		cols := []arrow.Array{b.Column(base + nk)} // window_start
		for k := 0; k < nk; k++ {
			cols = append(cols, b.Column(base+k))
		}
		return cols
	}
	heads := make([]int, len(outs))
	cols := make([][]arrow.Array, len(outs))
	total := 0
	for i, o := range outs {
		cols[i] = order(o)
		total += int(o.NumRows())
	}
	// pick[r] and at[r] say which batch and row the r-th output row comes from.
	pick, at := make([]int, 0, total), make([]int, 0, total)
	for len(pick) < total {
		best := -1
		for i, o := range outs {
			if heads[i] >= int(o.NumRows()) {
				continue
			}
			if best < 0 || compareRows(cols[i], heads[i], cols[best], heads[best]) < 0 {
				best = i
			}
		}
		pick, at = append(pick, best), append(at, heads[best])
		heads[best]++
	}
	return interleave(p.Env, p.Agg.Out, outs, pick, at)
}

// compareRows orders row i of the columns a against row j of the columns b.
func compareRows(a []arrow.Array, i int, b []arrow.Array, j int) int {
	for c := range a {
		if r := compareCells(a[c], i, b[c], j, false); r != 0 {
			return r
		}
	}
	return 0
}

// interleave builds one batch of the rows at[r] of outs[pick[r]].
func interleave(env *Env, schema *arrow.Schema, outs []arrow.RecordBatch, pick,
	at []int) (arrow.RecordBatch, error) {
	cols := make([]arrow.Array, schema.NumFields())
	defer func() { releaseAll(cols) }()
	for c := range cols {
		b := array.NewBuilder(env.Mem, schema.Field(c).Type)
		b.Reserve(len(pick))
		for r, i := range pick {
			if err := appendCell(b, outs[i].Column(c), at[r]); err != nil {
				b.Release()
				return nil, err
			}
		}
		cols[c] = b.NewArray()
		b.Release()
	}
	return array.NewRecordBatch(schema, cols, int64(len(pick))), nil
}

func releaseBatches(bs []arrow.RecordBatch) {
	for _, b := range bs {
		if b != nil {
			b.Release()
		}
	}
}
