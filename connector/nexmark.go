package connector

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/weirsql/weir/internal/recycle"
)

// The Nexmark generator follows the benchmark's generator as Beam and Flink ship it
// (NexmarkGenerator, GeneratorConfig, and the Person, Auction, Bid and Price generators):
//
//   - Events are numbered from 0. Of each 50 consecutive events, the first is a person, the
//     next three are auctions and the other 46 are bids (1:3:46).
//   - A person's id is 1000 + its index among people, an auction's 1000 + its index among
//     auctions, so that ids follow from event numbers alone.
//   - A bid goes, with probability 1/2 (hotAuctionRatio 2), to the hot auction, the first of
//     the last batch of 100 auctions, else to an auction drawn uniformly from the 100 most
//     recent plus 10 not created yet; its bidder is, with probability 3/4 (hotBiddersRatio
//     4), the hot bidder, the second person of the last batch of 100 people, else a person
//     drawn from the 1000 most recent plus 10. An auction's seller is likewise, with
//     probability 3/4 (hotSellersRatio 4), the first person of the last batch of 100.
//   - Prices, in cents, are log-uniform: round(10^(6u) * 100) for u uniform in [0, 1), so
//     from 1.00 to 1,000,000.00 with each decade equally likely. Categories are 10 to 14.
//     An auction expires after a random time averaging the event time it takes to create
//     100 more auctions. A bid's channel is, half the time, one of four hot channels, else
//     one of 10,000 others, each with a URL of its own.
//   - Names, e-mail addresses, cities and states come from the benchmark's lists and rules;
//     the extra column pads an event to the benchmark's average size (100 bytes for a bid,
//     200 for a person, 500 for an auction) with letters.
//   - Event n happens at NexmarkBaseTime + n * 1e6 / rate microseconds.
//
// Unlike the original, whose random numbers come from java.util.Random, each event draws its
// numbers from a generator seeded with the seed option and its event number. An event is thus
// a function of (seed, event number) alone: the same seed gives the same events, and each of
// the three streams computes its own events without the other two. The extra padding is a
// slice of a block of random letters made from the seed, not fresh letters per event.

// NexmarkBaseTime is the event time of the first Nexmark event, 2024-01-01T00:00:00Z, in
// microseconds since the Unix epoch; a fixed time, so that a seed always gives the same
// events.
const NexmarkBaseTime int64 = 1_704_067_200_000_000

// NexmarkDefaultRate is the generator's rate of events per second of event time unless one
// is given, as in the benchmark.
const NexmarkDefaultRate = 10_000

const (
	nexProportions       = 50 // person 1, auction 3, bid 46
	nexPersons           = 1
	nexAuctions          = 3
	nexFirstPersonID     = 1000
	nexFirstAuctionID    = 1000
	nexFirstCategoryID   = 10
	nexNumCategories     = 5
	nexHotAuctionRatio   = 2   // 1 - 1/2 of bids go to the hot auction
	nexHotSellersRatio   = 4   // 1 - 1/4 of auctions are by the hot seller
	nexHotBiddersRatio   = 4   // 1 - 1/4 of bids are by the hot bidder
	nexHotBatch          = 100 // the hot auction, bidder, seller: the first of each 100
	nexInFlightAuctions  = 100
	nexActivePeople      = 1000
	nexIDLead            = 10 // ids not created yet that a bid or auction may name
	nexAvgPersonBytes    = 200
	nexAvgAuctionBytes   = 500
	nexAvgBidBytes       = 100
	nexHotChannelsRatio  = 2
	nexChannels          = 10_000
	nexMinStringLength   = 3
	nexLetterPoolBytes   = 1 << 16
	nexEventsPerInFlight = nexInFlightAuctions * nexProportions / nexAuctions
	nexKeepBuffers       = 64 // buffers kept for the next batches: those of a few batches
)

// NexmarkOptions are the options of the nexmark connector.
type NexmarkOptions struct {
	Table string // bid, auction or person
	// Events is how many events of all three kinds to generate (the stream of one table
	// holds its share of them); 0 means the stream never ends.
	Events int64
	// Rate is the number of events per second of event time; 0 means NexmarkDefaultRate.
	Rate int64
	// Seed picks the events; the planner's default is 1.
	Seed uint64
	// Pace emits each event when its event time comes, the first one at Open, rather than
	// as fast as possible.
	Pace      bool
	BatchSize int // rows per batch at most; 0 means 4096

	now func() time.Time // the clock under Pace; time.Now when nil
}

type nexColumn struct {
	name string
	typ  arrow.DataType
}

var (
	nexBigint    = arrow.PrimitiveTypes.Int64
	nexVarchar   = arrow.BinaryTypes.String
	nexTimestamp = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
)

// The tables' columns, as Flink's Nexmark defines them; the constants below index them.
var nexmarkTables = map[string][]nexColumn{
	"person": {
		{"id", nexBigint}, {"name", nexVarchar}, {"emailAddress", nexVarchar},
		{"creditCard", nexVarchar}, {"city", nexVarchar}, {"state", nexVarchar},
		{"dateTime", nexTimestamp}, {"extra", nexVarchar},
	},
	"auction": {
		{"id", nexBigint}, {"itemName", nexVarchar}, {"description", nexVarchar},
		{"initialBid", nexBigint}, {"reserve", nexBigint}, {"dateTime", nexTimestamp},
		{"expires", nexTimestamp}, {"seller", nexBigint}, {"category", nexBigint},
		{"extra", nexVarchar},
	},
	"bid": {
		{"auction", nexBigint}, {"bidder", nexBigint}, {"price", nexBigint},
		{"channel", nexVarchar}, {"url", nexVarchar}, {"dateTime", nexTimestamp},
		{"extra", nexVarchar},
	},
}

const (
	pID = iota
	pName
	pEmail
	pCard
	pCity
	pState
	pDateTime
	pExtra
)

const (
	aID = iota
	aItemName
	aDescription
	aInitialBid
	aReserve
	aDateTime
	aExpires
	aSeller
	aCategory
	aExtra
)

const (
	bAuction = iota
	bBidder
	bPrice
	bChannel
	bURL
	bDateTime
	bExtra
)

// The benchmark's lists.
var (
	nexFirstNames = []string{"Peter", "Paul", "Luke", "John", "Saul", "Vicky", "Kate", "Julie",
		"Sarah", "Deiter", "Walter"}
	nexLastNames = []string{"Shultz", "Abrams", "Spencer", "White", "Bartels", "Walton",
		"Smith", "Jones", "Noris"}
	nexCities = []string{"Phoenix", "Los Angeles", "San Francisco", "Boise", "Portland",
		"Bend", "Redmond", "Seattle", "Kent", "Cheyenne"}
	nexStates      = []string{"AZ", "CA", "ID", "OR", "WA", "WY"}
	nexHotChannels = []string{"Google", "Facebook", "Baidu", "Apple"}
)

// NexmarkTables lists the tables of the nexmark connector.
func NexmarkTables() []string { return []string{"bid", "auction", "person"} }

// NexmarkSchema returns the columns of a Nexmark table (bid, auction or person, in any
// case) as Flink defines them: BIGINT ids and prices, VARCHAR text, TIMESTAMP times.
func NexmarkSchema(table string) (*arrow.Schema, error) {
	cols, ok := nexmarkTables[strings.ToLower(table)]
	if !ok {
		return nil, fmt.Errorf("unknown nexmark table %q (bid, auction, person)", table)
	}
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.name, Type: c.typ, Nullable: true}
	}
	return arrow.NewSchema(fields, nil), nil
}

// nexmarkSource generates one Nexmark table.
type nexmarkSource struct {
	opts    NexmarkOptions
	schema  *arrow.Schema
	mem     *recycle.Allocator // gets the batches' buffers back when they are released
	table   string
	cols    []nexColumn
	fields  []int  // the table column of each schema field
	want    []bool // by table column: whether the source makes it
	ints    []intColumn
	strs    []strColumn
	batch   int
	limit   int64 // events end before this event number
	n       int64 // the next event number to look at
	pool    []byte
	padded  []byte   // the pool and a block of zeros
	urls    strTable // the URL of each channel, then of each hot channel
	chans   strTable // the name of each channel, "channel-<n>", then of each hot channel
	scratch bidScratch
	blanks  []arrow.Array // by schema field: the placeholder of a column not read, else nil
	skip    []bool        // by schema field: whether no one reads it
	buf     []byte
	start   time.Time // the wall clock time of event 0 under Pace
	stats   SourceStats
	opened  bool
	closed  bool
}

var (
	_ Source        = (*nexmarkSource)(nil)
	_ ColumnSkipper = (*nexmarkSource)(nil)
)

// NewNexmarkSource returns a source of the Nexmark table opts.Table. The schema names the
// columns wanted, in any order and case, a subset of NexmarkSchema's with the same types; mem
// allocates the batches (nil means the default allocator). It generates events of its table
// only, NexmarkBaseTime + n * 1e6 / Rate µs for event n, and ends after opts.Events events of
// all kinds, or never when that is 0; Next returns as soon as it has a batch, or under
// opts.Pace when the next event's time has come.
func NewNexmarkSource(
	opts NexmarkOptions, schema *arrow.Schema, mem memory.Allocator,
) (Source, error) {
	table := strings.ToLower(opts.Table)
	cols, ok := nexmarkTables[table]
	if !ok {
		return nil, fmt.Errorf("unknown nexmark table %q (bid, auction, person)", opts.Table)
	}
	switch {
	case opts.Rate < 0:
		return nil, fmt.Errorf("nexmark: rate must be positive, got %d", opts.Rate)
	case opts.Rate == 0:
		opts.Rate = NexmarkDefaultRate
	case opts.Rate > 1_000_000_000:
		return nil, fmt.Errorf("nexmark: rate must be at most 1e9 events a second, got %d",
			opts.Rate)
	}
	if opts.Events < 0 {
		return nil, fmt.Errorf("nexmark: events must not be negative, got %d", opts.Events)
	}
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	s := &nexmarkSource{opts: opts, schema: schema, mem: recycle.New(mem, nexKeepBuffers),
		table: table, cols: cols,
		batch: opts.BatchSize, limit: opts.Events, want: make([]bool, len(cols)),
		ints: make([]intColumn, len(cols)), strs: make([]strColumn, len(cols))}
	if s.batch <= 0 {
		s.batch = defaultBatchSize
	}
	if s.limit == 0 {
		s.limit = math.MaxInt64
	}
	for _, f := range schema.Fields() {
		j := -1
		for k, c := range cols {
			if strings.EqualFold(c.name, f.Name) {
				j = k
			}
		}
		if j < 0 {
			return nil, fmt.Errorf("nexmark.%s has no column %q (its columns: %s)", table,
				f.Name, nexColumnNames(cols))
		}
		if !arrow.TypeEqual(f.Type, cols[j].typ) {
			return nil, fmt.Errorf("column %q of nexmark.%s is %s, not %s", f.Name, table,
				cols[j].typ, f.Type)
		}
		s.fields = append(s.fields, j)
		s.want[j] = true
	}
	return s, nil
}

func nexColumnNames(cols []nexColumn) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.name
	}
	return strings.Join(names, ", ")
}

// Schema returns the schema the source was made with.
func (s *nexmarkSource) Schema() *arrow.Schema { return s.schema }

// Stats returns the source's counters.
func (s *nexmarkSource) Stats() *SourceStats { return &s.stats }

// SkipColumns makes the source skip the columns not read: it draws no more numbers for an
// event than the columns read need, and returns a column of zeros or empty strings for each
// column not read.
func (s *nexmarkSource) SkipColumns(read []bool) {
	if s.opened || len(read) != len(s.fields) {
		return
	}
	s.skip = make([]bool, len(read))
	clear(s.want)
	for i, j := range s.fields {
		s.skip[i] = !read[i]
		s.want[j] = s.want[j] || read[i]
	}
}

// Open makes the tables the events pick text from.
func (s *nexmarkSource) Open(ctx context.Context) error {
	if s.opened {
		return errors.New("source opened twice")
	}
	s.opened = true
	s.blanks = make([]arrow.Array, len(s.fields))
	for i, skip := range s.skip {
		if skip {
			s.blanks[i] = s.blank(s.cols[s.fields[i]].typ)
		}
	}
	r := newSplitMix(s.opts.Seed, 1<<63)
	s.pool = r.appendLetters(make([]byte, 0, nexLetterPoolBytes+nexBlock), nexLetterPoolBytes)
	s.padded = append(s.pool, make([]byte, nexBlock)...) // for copies of whole blocks
	if s.table == "bid" && (s.want[bChannel] || s.want[bURL]) {
		s.makeChannels()
	}
	if s.opts.Pace {
		s.start = s.now()
	}
	return ctx.Err()
}

func (s *nexmarkSource) now() time.Time {
	if s.opts.now != nil {
		return s.opts.now()
	}
	return time.Now()
}

// makeChannels makes the names and URLs of the 10,000 channels and of the hot ones.
func (s *nexmarkSource) makeChannels() {
	names, urls := &s.chans, &s.urls
	names.ends, urls.ends = []int32{0}, []int32{0}
	for c := range nexChannels + len(nexHotChannels) {
		r := newSplitMix(s.opts.Seed, 1<<62+uint64(c))
		urls.data = append(urls.data, "https://www.nexmark.com/"...)
		for k := range 3 {
			if k > 0 {
				urls.data = append(urls.data, '/')
			}
			urls.data = r.appendLetters(urls.data, nexMinStringLength+int(r.intn(3)))
		}
		urls.data = append(urls.data, "/item.htm?query=1"...)
		if c < nexChannels {
			if r.intn(10) > 0 {
				urls.data = append(urls.data, "&channel_id="...)
				urls.data = strconv.AppendInt(urls.data, int64(c), 10)
			}
			names.data = strconv.AppendInt(append(names.data, "channel-"...), int64(c), 10)
		} else {
			names.data = append(names.data, nexHotChannels[c-nexChannels]...)
		}
		urls.ends = append(urls.ends, int32(len(urls.data)))
		names.ends = append(names.ends, int32(len(names.data)))
	}
	names.pad()
	urls.pad()
}

// strTable is a table of strings back to back: string k is data[ends[k]:ends[k+1]].
type strTable struct {
	data []byte // followed by a block of zeros, for copies of whole blocks
	ends []int32
	max  int // the length of the longest string
}

// pad notes the longest string and puts a block of zeros after the last.
func (t *strTable) pad() {
	for k := range len(t.ends) - 1 {
		t.max = max(t.max, int(t.ends[k+1]-t.ends[k]))
	}
	t.data = append(t.data, make([]byte, nexBlock)...)
}

// Next generates the next batch of events of the source's table.
func (s *nexmarkSource) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !s.opened || s.closed {
		return nil, errors.New("source not open")
	}
	s.n = s.firstOfTable(s.n)
	if s.n >= s.limit {
		return nil, io.EOF
	}
	until := int64(math.MaxInt64) // under Pace: events up to this event time are due
	if s.opts.Pace {
		var err error
		if until, err = s.wait(ctx); err != nil {
			return nil, err
		}
		until = max(until, s.timestamp(s.n)) // never an empty batch
	}

	if s.table == "bid" {
		rec := s.bids(until)
		s.stats.RowsRead.Add(rec.NumRows())
		return rec, nil
	}
	for i := range s.ints {
		s.ints[i].reset()
		s.strs[i].reset()
	}
	rows := 0
	for rows < s.batch && s.n < s.limit && s.timestamp(s.n) <= until {
		if s.table == "auction" {
			s.auction(s.n)
		} else {
			s.person(s.n)
		}
		rows++
		s.n = s.firstOfTable(s.n + 1)
	}
	s.stats.RowsRead.Add(int64(rows))
	return s.newBatch(rows), nil
}

// wait sleeps until the event time of event s.n comes under Pace, and returns the event time
// that the wall clock has reached.
func (s *nexmarkSource) wait(ctx context.Context) (int64, error) {
	due := time.Duration(s.timestamp(s.n)-NexmarkBaseTime) * time.Microsecond
	if d := due - s.now().Sub(s.start); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return 0, ctx.Err()
		case <-t.C:
		}
	}
	return NexmarkBaseTime + s.now().Sub(s.start).Microseconds(), nil
}

func (s *nexmarkSource) newBatch(rows int) arrow.RecordBatch {
	arrs := make([]arrow.Array, len(s.fields))
	for i, j := range s.fields {
		if s.blanks[i] != nil {
			arrs[i] = array.NewSlice(s.blanks[i], 0, int64(rows))
		} else if s.cols[j].typ.ID() == arrow.STRING {
			arrs[i] = s.strs[j].array(s.mem)
		} else {
			arrs[i] = s.ints[j].array(s.mem, s.cols[j].typ)
		}
	}
	rec := array.NewRecordBatch(s.schema, arrs, int64(rows))
	for _, a := range arrs {
		a.Release()
	}
	return rec
}

// Close ends the source and gives the buffers it kept back to its allocator; those of the
// batches still held go back there when they are released.
func (s *nexmarkSource) Close() error {
	if !s.closed {
		for _, b := range s.blanks {
			if b != nil {
				b.Release()
			}
		}
		s.mem.Close()
	}
	s.closed = true
	return nil
}

// timestamp returns the event time of event n in microseconds.
func (s *nexmarkSource) timestamp(n int64) int64 {
	return NexmarkBaseTime + n*1_000_000/s.opts.Rate
}

// firstOfTable returns the first event number from n on that belongs to the source's table.
func (s *nexmarkSource) firstOfTable(n int64) int64 {
	off := n % nexProportions
	switch s.table {
	case "person":
		if off != 0 {
			n += nexProportions - off
		}
	case "auction":
		if off == 0 {
			n++
		} else if off > nexAuctions {
			n += nexProportions - off + 1
		}
	default:
		if off <= nexAuctions {
			n += nexPersons + nexAuctions - off
		}
	}
	return n
}

// lastPersonID returns the index of the last person created at event n (n's own when n is a
// person).
func lastPersonID(n int64) int64 { return n / nexProportions }

// lastAuctionID returns the index of the last auction created at event n (n's own when n is
// an auction); -1 before the first.
func lastAuctionID(n int64) int64 {
	epoch, off := n/nexProportions, n%nexProportions
	switch {
	case off < nexPersons:
		epoch--
		off = nexAuctions - 1
	case off >= nexPersons+nexAuctions:
		off = nexAuctions - 1
	default:
		off -= nexPersons
	}
	return epoch*nexAuctions + off
}

// nextPersonID draws one of the active people, or one of the next few not created yet.
func nextPersonID(n int64, r *splitMix) int64 {
	people := lastPersonID(n) + 1
	active := min(people, nexActivePeople)
	return people - active + int64(r.intn(uint64(active+nexIDLead)))
}

// nextAuctionID draws one of the auctions likely still open, or of the next few.
func nextAuctionID(n int64, r *splitMix) int64 {
	last := lastAuctionID(n)
	lo := max(last-nexInFlightAuctions, 0)
	return lo + int64(r.intn(uint64(last-lo+1+nexIDLead)))
}

// nextPrice draws a log-uniform price in cents from 100 to 100,000,000.
func nextPrice(r *splitMix) int64 { return nexPrice(r.float()) }

// extra draws the padding of an event whose other columns take size bytes, so that events
// average avg bytes: a slice of the letter pool.
func (s *nexmarkSource) extra(r *splitMix, size, avg int) []byte {
	if size > avg {
		return nil
	}
	n, span := nexExtraLength(size, avg)
	if span > 0 {
		n += int(r.intn(uint64(span)))
	}
	off := int(r.intn(uint64(len(s.pool) - n + 1)))
	return s.pool[off : off+n]
}

// appendString appends a string of 3 to max-1 characters, letters with a space now and then,
// trimmed of spaces at its ends.
func appendString(dst []byte, r *splitMix, max int) []byte {
	n := nexMinStringLength + int(r.intn(uint64(max-nexMinStringLength)))
	start := len(dst)
	for range n {
		v := r.next()
		if v%13 == 0 {
			dst = append(dst, ' ')
		} else {
			dst = append(dst, byte('a'+(v>>8)%26))
		}
	}
	b := dst[start:]
	lead := 0
	for lead < len(b) && b[lead] == ' ' {
		lead++
	}
	end := len(b)
	for end > lead && b[end-1] == ' ' {
		end--
	}
	copy(b, b[lead:end])
	return dst[:start+end-lead]
}

func (s *nexmarkSource) person(n int64) {
	r := newSplitMix(s.opts.Seed, uint64(n))
	c := s.ints
	c[pID].add(lastPersonID(n) + nexFirstPersonID)
	c[pDateTime].add(s.timestamp(n))

	b := s.buf[:0]
	b = append(b, nexFirstNames[r.intn(uint64(len(nexFirstNames)))]...)
	b = append(b, ' ')
	b = append(b, nexLastNames[r.intn(uint64(len(nexLastNames)))]...)
	name := len(b)
	b = appendString(b, &r, 7)
	b = append(b, '@')
	b = appendString(b, &r, 5)
	b = append(b, ".com"...)
	email := len(b)
	for k := range 4 {
		if k > 0 {
			b = append(b, ' ')
		}
		v := r.intn(10000)
		b = append(b, byte('0'+v/1000), byte('0'+v/100%10), byte('0'+v/10%10),
			byte('0'+v%10))
	}
	card := len(b)
	city := nexCities[r.intn(uint64(len(nexCities)))]
	state := nexStates[r.intn(uint64(len(nexStates)))]
	extra := s.extra(&r, 8+card+len(city)+len(state), nexAvgPersonBytes)
	s.buf = b

	s.addString(pName, b[:name])
	s.addString(pEmail, b[name:email])
	s.addString(pCard, b[email:card])
	if s.want[pCity] {
		s.strs[pCity].addString(city)
	}
	if s.want[pState] {
		s.strs[pState].addString(state)
	}
	s.addString(pExtra, extra)
}

func (s *nexmarkSource) auction(n int64) {
	r := newSplitMix(s.opts.Seed, uint64(n))
	c := s.ints
	ts := s.timestamp(n)
	c[aID].add(lastAuctionID(n) + nexFirstAuctionID)
	c[aDateTime].add(ts)
	seller := lastPersonID(n) / nexHotBatch * nexHotBatch
	if r.intn(nexHotSellersRatio) == 0 {
		seller = nextPersonID(n, &r)
	}
	c[aSeller].add(seller + nexFirstPersonID)
	c[aCategory].add(nexFirstCategoryID + int64(r.intn(nexNumCategories)))
	initial := nextPrice(&r)
	c[aInitialBid].add(initial)
	horizon := s.timestamp(n+nexEventsPerInFlight) - ts
	c[aExpires].add(ts + 1 + int64(r.intn(uint64(max(2*horizon, 1)))))

	b := appendString(s.buf[:0], &r, 20)
	name := len(b)
	b = appendString(b, &r, 100)
	c[aReserve].add(initial + nextPrice(&r))
	extra := s.extra(&r, 8+len(b)+8+8+8+8+8, nexAvgAuctionBytes)
	s.buf = b

	s.addString(aItemName, b[:name])
	s.addString(aDescription, b[name:])
	s.addString(aExtra, extra)
}

func (s *nexmarkSource) addString(col int, b []byte) {
	if s.want[col] {
		s.strs[col].add(b)
	}
}
