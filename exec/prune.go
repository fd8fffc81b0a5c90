package exec

// ColumnsRead follows op down a chain of Project, Filter, Watermark, HashAggregate, Count
// and Measure operators to the operator under them, and reports which columns of that
// operator's output the chain reads to compute all of op's output. ok is false when the
// chain holds another operator or an expression ColumnsRead does not know, or an aggregate
// writes late events out, so that a source is told to skip a column only when nothing can
// read it.
func ColumnsRead(op Operator) (leaf Operator, used []bool, ok bool) {
	used = allColumns(op.Schema().NumFields())
	for {
		switch o := op.(type) {
		case *Project:
			in := make([]bool, o.Input.Schema().NumFields())
			for j, e := range o.Exprs {
				if used[j] && !exprColumns(e, in) {
					return nil, nil, false
				}
			}
			op, used = o.Input, in
		case *Filter:
			if !exprColumns(o.Pred, used) {
				return nil, nil, false
			}
			op = o.Input
		case *Watermark:
			in := make([]bool, o.Input.Schema().NumFields())
			copy(in, used) // all but the $wm column it adds
			if !exprColumns(o.Time, in) {
				return nil, nil, false
			}
			op, used = o.Input, in
		case *HashAggregate:
			in, ok := o.columnsRead()
			if !ok {
				return nil, nil, false
			}
			op, used = o.Input, in
		case *Count:
			op = o.Input
		case *Measure:
			op = o.Input
		default:
			return op, used, true
		}
	}
}

func allColumns(n int) []bool {
	used := make([]bool, n)
	for i := range used {
		used[i] = true
	}
	return used
}

// exprColumns marks in used the input columns e reads; false when it does not know e.
func exprColumns(e Expr, used []bool) bool {
	switch x := e.(type) {
	case *Column:
		if x.Index < 0 || x.Index >= len(used) {
			return false
		}
		used[x.Index] = true
		return true
	case *Literal:
		return true
	case *Binary:
		return exprColumns(x.L, used) && exprColumns(x.R, used)
	case *Unary:
		return exprColumns(x.X, used)
	case *IsNull:
		return exprColumns(x.X, used)
	case *Cast:
		return exprColumns(x.X, used)
	case *IsDistinct:
		return exprColumns(x.L, used) && exprColumns(x.R, used)
	case *Like:
		return exprColumns(x.X, used) && exprColumns(x.Pattern, used)
	case *Call:
		return exprsColumns(x.Args, used)
	case *Case:
		return exprsColumns(x.Conds, used) && exprsColumns(x.Thens, used) &&
			(x.Else == nil || exprColumns(x.Else, used))
	}
	return false
}

func exprsColumns(es []Expr, used []bool) bool {
	for _, e := range es {
		if !exprColumns(e, used) {
			return false
		}
	}
	return true
}

// columnsRead reports the columns of its input the aggregate reads: its keys', event time's,
// aggregates' and their filters', and the $wm column. ok is false when it writes late events
// out, all of their columns.
func (h *HashAggregate) columnsRead() (in []bool, ok bool) {
	if h.Late != nil {
		return nil, false
	}
	in = make([]bool, h.Input.Schema().NumFields())
	if !exprsColumns(h.Keys, in) || h.Time != nil && !exprColumns(h.Time, in) {
		return nil, false
	}
	for _, a := range h.Aggs {
		if !exprsColumns(a.Args, in) || a.Filter != nil && !exprColumns(a.Filter, in) {
			return nil, false
		}
	}
	if h.Time != nil {
		if h.WMIndex < 0 || h.WMIndex >= len(in) {
			return nil, false
		}
		in[h.WMIndex] = true
	}
	return in, true
}
