package connector

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Bids are nine in ten Nexmark events and the stream every Nexmark query reads, so they have
// a path of their own: a batch's numbers go straight into the Arrow buffers, and its strings,
// each a channel's name, a channel's URL or a slice of the letter pool, are copied once into
// value buffers sized exactly beforehand. The buffers come back through the source's
// recycler, so a running bid stream allocates nothing. The draws are those of
// nexmarkSource.bid, in the same order, so both make the same events.

// bidDraws is how far into a bid's draws a batch needs to go: a bid draws its auction, its
// bidder, its price, its channel and its padding, in that order, and the draws after the last
// column wanted are skipped.
type bidDraws int

const (
	drawAuction bidDraws = iota
	drawBidder
	drawPrice
	drawChannel
	drawExtra
)

// bidScratch holds what a bid batch drew for its strings, row by row.
type bidScratch struct {
	channel []int32 // the channel: below nexChannels one of the many, else a hot one
	extra   []int32 // where the padding starts in the letter pool
	extraN  []int32 // its length
}

// bidDrawsFor returns how far a batch with the wanted columns must draw.
func bidDrawsFor(want []bool) bidDraws {
	switch {
	case want[bExtra]:
		return drawExtra
	case want[bChannel] || want[bURL]:
		return drawChannel
	case want[bPrice]:
		return drawPrice
	case want[bBidder]:
		return drawBidder
	}
	return drawAuction
}

// nextBid returns the event number of the first bid after bid n.
func nextBid(n int64) int64 {
	n++
	if n%nexProportions == 0 {
		n += nexPersons + nexAuctions
	}
	return n
}

// int64Buffer returns a buffer of n int64s from the source's allocator, and its values.
func (s *nexmarkSource) int64Buffer(n int) (*memory.Buffer, []int64) {
	buf := memory.NewResizableBuffer(s.mem)
	buf.Resize(n * 8)
	return buf, arrow.Int64Traits.CastFromBytes(buf.Bytes())[:n]
}

// bids generates the next batch of bids, the events up to the event time until at most.
func (s *nexmarkSource) bids(until int64) arrow.RecordBatch {
	var bufs [bExtra + 1]*memory.Buffer
	var vals [bExtra + 1][]int64
	for _, j := range [...]int{bAuction, bBidder, bPrice, bDateTime} {
		if s.want[j] {
			bufs[j], vals[j] = s.int64Buffer(s.batch)
		}
	}
	sc := &s.scratch
	sc.channel, sc.extra, sc.extraN = sc.channel[:0], sc.extra[:0], sc.extraN[:0]
	draws := bidDrawsFor(s.want)
	const size = 8 + 8 + 8 + 8 // the bytes of the numbers, as the benchmark counts them
	padded := size <= nexAvgBidBytes
	extraMin, extraSpan := nexExtraLength(size, nexAvgBidBytes)
	seed, pool := s.opts.Seed, len(s.pool)

	rows, n := 0, s.n
	for rows < s.batch && n < s.limit {
		ts := s.timestamp(n)
		if ts > until {
			break
		}
		if vals[bDateTime] != nil {
			vals[bDateTime][rows] = ts
		}
		r := newSplitMix(seed, uint64(n))
		auction := lastAuctionID(n) / nexHotBatch * nexHotBatch
		if r.intn(nexHotAuctionRatio) == 0 {
			auction = nextAuctionID(n, &r)
		}
		if vals[bAuction] != nil {
			vals[bAuction][rows] = auction + nexFirstAuctionID
		}
		if draws >= drawBidder {
			bidder := lastPersonID(n)/nexHotBatch*nexHotBatch + 1
			if r.intn(nexHotBiddersRatio) == 0 {
				bidder = nextPersonID(n, &r)
			}
			if vals[bBidder] != nil {
				vals[bBidder][rows] = bidder + nexFirstPersonID
			}
		}
		if draws >= drawPrice {
			price := nextPrice(&r)
			if vals[bPrice] != nil {
				vals[bPrice][rows] = price
			}
		}
		if draws >= drawChannel {
			channel := nexChannels + int32(r.intn(uint64(len(nexHotChannels))))
			if r.intn(nexHotChannelsRatio) == 0 {
				channel = int32(r.intn(nexChannels))
			}
			sc.channel = append(sc.channel, channel)
		}
		if draws >= drawExtra && padded {
			k := extraMin
			if extraSpan > 0 {
				k += int(r.intn(uint64(extraSpan)))
			}
			sc.extra = append(sc.extra, int32(r.intn(uint64(pool-k+1))))
			sc.extraN = append(sc.extraN, int32(k))
		}
		rows++
		n = nextBid(n)
	}
	s.n = n

	arrs := make([]arrow.Array, len(s.fields))
	for i, j := range s.fields {
		switch {
		case s.blanks[i] != nil:
			arrs[i] = array.NewSlice(s.blanks[i], 0, int64(rows))
		case j == bChannel:
			arrs[i] = s.stringArray(rows, sc.channel, nil, 0, &s.chans)
		case j == bURL:
			arrs[i] = s.stringArray(rows, sc.channel, nil, 0, &s.urls)
		case j == bExtra:
			arrs[i] = s.stringArray(rows, sc.extra, sc.extraN, extraMin+extraSpan-1, nil)
		default:
			arrs[i] = int64Array(s.cols[j].typ, rows, bufs[j])
		}
	}
	for _, b := range bufs {
		if b != nil {
			b.Release()
		}
	}
	rec := array.NewRecordBatch(s.schema, arrs, int64(rows))
	for _, a := range arrs {
		a.Release()
	}
	return rec
}

// blank returns a batch's worth of zeros or empty strings of type t, BIGINT, TIMESTAMP or
// VARCHAR: the placeholder of a column no one reads.
func (s *nexmarkSource) blank(t arrow.DataType) arrow.Array {
	n := s.batch
	if t.ID() != arrow.STRING {
		buf, vals := s.int64Buffer(n)
		clear(vals)
		defer buf.Release()
		return int64Array(t, n, buf)
	}
	offs := memory.NewResizableBuffer(s.mem)
	offs.Resize((n + 1) * 4)
	clear(offs.Bytes())
	data := array.NewData(t, n, []*memory.Buffer{nil, offs, nil}, nil, 0, 0)
	offs.Release()
	defer data.Release()
	return array.NewStringData(data)
}

// int64Array returns the first n values of buf as an array of type t, BIGINT or TIMESTAMP;
// the array holds its own reference to buf.
func int64Array(t arrow.DataType, n int, buf *memory.Buffer) arrow.Array {
	data := array.NewData(t, n, []*memory.Buffer{nil, buf}, nil, 0, 0)
	defer data.Release()
	return array.MakeFromData(data)
}

// stringArray returns a String array of n values: with a table, value i is string at[i] of
// the table; without, it is the lens[i] letters of the pool from at[i], maxLen at most.
func (s *nexmarkSource) stringArray(n int, at, lens []int32, maxLen int,
	table *strTable) arrow.Array {
	at = at[:n]
	offs := memory.NewResizableBuffer(s.mem)
	offs.Resize((n + 1) * 4)
	o := arrow.Int32Traits.CastFromBytes(offs.Bytes())[:n+1]
	o[0] = 0
	end := int32(0)
	if table != nil {
		ends := table.ends
		for i, k := range at {
			end += ends[k+1] - ends[k]
			o[i+1] = end
		}
	} else {
		for i, k := range lens[:n] {
			end += k
			o[i+1] = end
		}
	}

	data := memory.NewResizableBuffer(s.mem)
	data.Resize(int(end) + nexBlock)
	d := data.Bytes()
	switch {
	case table != nil && table.max <= nexSmallBlock:
		copySmallBlocks(d, o, at, table.data, table.ends)
	case table != nil && table.max <= nexBlock:
		copyBlocks(d, o, at, table.data, table.ends)
	case table != nil:
		for i, k := range at {
			copy(d[o[i]:o[i+1]], table.data[table.ends[k]:table.ends[k+1]])
		}
	case lens != nil && maxLen <= nexBlock:
		for i, k := range at { // the padding: at[i] is where it starts in the pool
			*(*[nexBlock]byte)(d[o[i]:]) = *(*[nexBlock]byte)(s.padded[k:])
		}
	default:
		for i, k := range at {
			copy(d[o[i]:o[i+1]], s.pool[k:])
		}
	}
	data.Resize(int(end))

	ad := array.NewData(arrow.BinaryTypes.String, n, []*memory.Buffer{nil, offs, data}, nil,
		0, 0)
	offs.Release()
	data.Release()
	defer ad.Release()
	return array.NewStringData(ad)
}

// The strings of a batch are copied a whole block at a time: the bytes of a block past the
// end of a string are overwritten by the next string, and those of the last land in slack
// at the end of the value buffer. A block is copied by the compiler's few moves, without a
// call or a branch on the length.
const (
	nexBlock      = 96 // longer than the padding of a bid (82 at most) and any URL (74)
	nexSmallBlock = 16 // longer than any channel's name
)

// copyBlocks copies string at[i] of src, which starts at starts[at[i]], to d at o[i].
func copyBlocks(d []byte, o, at []int32, src []byte, starts []int32) {
	for i, k := range at {
		*(*[nexBlock]byte)(d[o[i]:]) = *(*[nexBlock]byte)(src[starts[k]:])
	}
}

// copySmallBlocks is copyBlocks for strings of nexSmallBlock bytes at most.
func copySmallBlocks(d []byte, o, at []int32, src []byte, starts []int32) {
	for i, k := range at {
		*(*[nexSmallBlock]byte)(d[o[i]:]) = *(*[nexSmallBlock]byte)(src[starts[k]:])
	}
}

// nexExtraLength returns the shortest padding of an event whose other columns take size
// bytes, at most avg, so that events average avg bytes, and how many more letters it may
// draw: a length from min to min+span-1.
func nexExtraLength(size, avg int) (min, span int) {
	want := avg - size
	delta := int(math.Round(float64(want) * 0.2))
	return want - delta, 2 * delta
}

// The powers of ten of the prices come from a table and a short series: e^y = e^(i*step) *
// e^r with r = y - i*step below step, the series for e^r stopping after r^5/120, where its
// error is below 1e-15 of the price. A price within 1e-5 cents of a half cent is computed
// with math.Exp instead, so that every price is exactly round(e^y * 100).
const nexPriceSteps = 256 // table entries per power of ten

var nexPricePowers = func() []float64 {
	p := make([]float64, 6*nexPriceSteps+2)
	for i := range p {
		p[i] = math.Exp(float64(i) * (math.Ln10 / nexPriceSteps))
	}
	return p
}()

// nexPrice returns the price in cents for the uniform number u in [0, 1):
// round(10^(6u) * 100), from 1.00 to 1,000,000.00.
func nexPrice(u float64) int64 {
	y := u * 6 * math.Ln10
	i := int(y * (nexPriceSteps / math.Ln10))
	r := y - float64(i)*(math.Ln10/nexPriceSteps)
	r2 := r * r // the series in two halves, computed side by side
	er := (1 + r) + r2*((1.0/2+r*(1.0/6))+r2*(1.0/24+r*(1.0/120)))
	v := nexPricePowers[i]*er*100 + 0.5
	k := int64(v) // rounded without a branch, which random prices would mispredict
	if d := v - float64(k); d < 1e-5 || d > 1-1e-5 {
		return nexPriceExact(u)
	}
	return k
}

// nexPriceExact is nexPrice computed with math.Exp.
func nexPriceExact(u float64) int64 {
	return int64(math.Round(math.Exp(u*6*math.Ln10) * 100))
}
