package connector

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/weirsql/weir/functions"
)

// The datagen connector makes rows of the declared columns from random numbers, as Flink's
// datagen does. Each column is random (the default) or a sequence, by its kind option:
//
//	type       random                                  sequence
//	BIGINT     uniform in [min, max], 0 to 1000        min, min+1, ...
//	DOUBLE     uniform in [min, max), 0 to 1           min, min+1, ...
//	VARCHAR    length lower-case letters (10)          the decimal text of min, min+1, ...
//	BOOLEAN    true or false                           false, true, false, ...
//	TIMESTAMP  uniform in [min, max], a day from       min + n * 1e6 / rate µs for row n
//	           DatagenBaseTime                         (the default kind of a TIMESTAMP)
//
// A column with a values list picks one of its values at random, or cycles through them as a
// sequence. A sequence with a max ends the stream when it passes it; otherwise the stream
// ends after rows rows, or never when rows is 0. Each column draws from a generator of its
// own seeded with the seed option and the column's position, so the same seed gives the
// same rows.

// DatagenDefaultRate is the rows per second of event time of datagen's timestamp sequences.
const DatagenDefaultRate = 10_000

// DatagenBaseTime is where datagen's timestamps start unless min says: 2024-01-01T00:00:00Z.
const DatagenBaseTime = NexmarkBaseTime

// DatagenOptions are the options of the datagen connector.
type DatagenOptions struct {
	Rows int64 // how many rows; 0 means the stream never ends (but for bounded sequences)
	// Rate spaces the timestamps of a sequence: 1e6 / Rate µs apart; 0 means
	// DatagenDefaultRate.
	Rate int64
	Seed uint64
	// Fields holds the options of the columns, by lower-case name.
	Fields    map[string]DatagenField
	BatchSize int // rows per batch at most; 0 means 4096
}

// DatagenField are the options of one column: 'fields.<col>.kind' and so on.
type DatagenField struct {
	Kind     string // random or sequence; "" is random, or sequence for TIMESTAMP
	Min, Max string // as written, read by the column's type
	Length   int    // letters of a random VARCHAR; 0 means 10
	Values   []string
}

// Set sets one property (kind, min, max, length or values) from its text. A values list is
// written '[a, b, c]' or 'a, b, c'.
func (f *DatagenField) Set(prop, value string) error {
	switch strings.ToLower(prop) {
	case "kind":
		k := strings.ToLower(value)
		if k != "random" && k != "sequence" {
			return fmt.Errorf("kind must be random or sequence, got %q", value)
		}
		f.Kind = k
	case "min":
		f.Min = value
	case "max":
		f.Max = value
	case "length":
		n, err := strconv.Atoi(strings.TrimSpace(value))
		if err != nil || n < 0 {
			return fmt.Errorf("length must be a whole number, got %q", value)
		}
		f.Length = n
	case "values":
		f.Values = splitValues(value)
		if len(f.Values) == 0 {
			return errors.New("values needs at least one value")
		}
	default:
		return fmt.Errorf("unknown property %q (kind, min, max, length, values)", prop)
	}
	return nil
}

// splitValues reads '[a, b, c]' or 'a, b, c'; quotes around a value are dropped.
func splitValues(s string) []string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		s = s[1 : len(s)-1]
	}
	if strings.TrimSpace(s) == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	for i, p := range parts {
		p = strings.TrimSpace(p)
		if len(p) >= 2 && (p[0] == '\'' || p[0] == '"') && p[len(p)-1] == p[0] {
			p = p[1 : len(p)-1]
		}
		parts[i] = p
	}
	return parts
}

// dgColumn generates one column.
type dgColumn struct {
	name   string
	kind   kind
	typ    arrow.DataType
	seq    bool
	lo, hi int64 // BIGINT and TIMESTAMP bounds; DOUBLE's are flo, fhi
	flo    float64
	fhi    float64
	length int
	rate   int64 // rows per second of event time of a timestamp sequence
	ints   []int64
	floats []float64
	strs   []string
	rng    splitMix
	out    intColumn
	fout   []float64
	sout   strColumn
	buf    []byte
}

// datagenSource makes rows of the declared columns.
type datagenSource struct {
	opts   DatagenOptions
	schema *arrow.Schema
	mem    memory.Allocator
	cols   []*dgColumn
	batch  int
	limit  int64 // rows end before this one
	row    int64
	stats  SourceStats
	opened bool
	closed bool
}

var _ Source = (*datagenSource)(nil)

// NewDatagenSource returns a source of random rows of schema, whose columns must be
// BOOLEAN, BIGINT, DOUBLE, VARCHAR or TIMESTAMP; mem allocates the batches (nil means the
// default allocator). opts.Fields may name only columns of the schema.
func NewDatagenSource(
	opts DatagenOptions, schema *arrow.Schema, mem memory.Allocator,
) (Source, error) {
	if opts.Rows < 0 {
		return nil, fmt.Errorf("datagen: rows must not be negative, got %d", opts.Rows)
	}
	if opts.Rate == 0 {
		opts.Rate = DatagenDefaultRate
	}
	if opts.Rate < 0 || opts.Rate > 1_000_000_000 {
		return nil, fmt.Errorf("datagen: rate must be from 1 to 1e9 rows a second, got %d",
			opts.Rate)
	}
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	s := &datagenSource{opts: opts, schema: schema, mem: mem, batch: opts.BatchSize,
		limit: opts.Rows}
	if s.batch <= 0 {
		s.batch = defaultBatchSize
	}
	if s.limit == 0 {
		s.limit = math.MaxInt64
	}
	used := map[string]bool{}
	for i, f := range schema.Fields() {
		name := strings.ToLower(f.Name)
		used[name] = true
		c, err := newDGColumn(f, opts.Fields[name], opts, uint64(i))
		if err != nil {
			return nil, fmt.Errorf("datagen: column %q: %w", f.Name, err)
		}
		if c.seq && c.values() == 0 && opts.Fields[name].Max != "" {
			s.limit = min(s.limit, c.sequenceLength())
		}
		s.cols = append(s.cols, c)
	}
	for name := range opts.Fields {
		if !used[name] {
			return nil, fmt.Errorf("datagen: options for %q, which is not a column", name)
		}
	}
	return s, nil
}

func newDGColumn(f arrow.Field, o DatagenField, opts DatagenOptions, pos uint64) (
	*dgColumn, error) {
	k, unit, ok := kindOf(f.Type)
	if !ok || (k == kindTime && unit != arrow.Microsecond) {
		return nil, fmt.Errorf("unsupported: type %s", f.Type)
	}
	c := &dgColumn{name: f.Name, kind: k, typ: f.Type, length: o.Length,
		rng: newSplitMix(opts.Seed, pos), rate: opts.Rate}
	c.seq = o.Kind == "sequence" || (o.Kind == "" && k == kindTime && len(o.Values) == 0)
	if c.length == 0 {
		c.length = 10
	}
	for _, v := range o.Values {
		if err := c.addValue(v); err != nil {
			return nil, err
		}
	}
	if err := c.setBounds(o); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *dgColumn) values() int { return len(c.ints) + len(c.floats) + len(c.strs) }

// addValue adds one value of the values list, read by the column's type.
func (c *dgColumn) addValue(v string) error {
	var cl cell
	col := column{name: c.name, kind: c.kind, unit: arrow.Microsecond}
	if !col.parseText([]byte(v), &cl) {
		return fmt.Errorf("value %q is not a %s", v, col.typeName())
	}
	switch c.kind {
	case kindFloat:
		c.floats = append(c.floats, cl.f)
	case kindString:
		c.strs = append(c.strs, v)
	default:
		c.ints = append(c.ints, cl.i)
	}
	return nil
}

// setBounds reads min and max, or takes the type's defaults.
func (c *dgColumn) setBounds(o DatagenField) error {
	switch c.kind {
	case kindFloat:
		c.flo, c.fhi = 0, 1
		for _, b := range []struct {
			text string
			to   *float64
		}{{o.Min, &c.flo}, {o.Max, &c.fhi}} {
			if b.text == "" {
				continue
			}
			v, ok := parseFloat([]byte(strings.TrimSpace(b.text)))
			if !ok {
				return fmt.Errorf("%q is not a DOUBLE", b.text)
			}
			*b.to = v
		}
		if c.flo > c.fhi {
			return fmt.Errorf("min %v is above max %v", c.flo, c.fhi)
		}
		return nil
	case kindTime:
		c.lo, c.hi = DatagenBaseTime, DatagenBaseTime+86_400_000_000-1
	case kindInt:
		c.lo, c.hi = 0, 1000
		if c.seq {
			c.hi = math.MaxInt64
		}
	case kindString:
		c.lo, c.hi = 0, math.MaxInt64
	default:
		return nil
	}
	for _, b := range []struct {
		text string
		to   *int64
	}{{o.Min, &c.lo}, {o.Max, &c.hi}} {
		if b.text == "" {
			continue
		}
		t := []byte(strings.TrimSpace(b.text))
		var ok bool
		if c.kind == kindTime {
			*b.to, ok = functions.ParseTimestamp(string(t))
		} else {
			*b.to, ok = parseInt(t)
		}
		if !ok {
			return fmt.Errorf("%q is not a %s", b.text, (&column{kind: c.kind}).typeName())
		}
	}
	if c.lo > c.hi {
		return fmt.Errorf("min is above max")
	}
	return nil
}

// sequenceLength is how many values a sequence with a max has.
func (c *dgColumn) sequenceLength() int64 {
	switch c.kind {
	case kindBool, kindFloat:
		return math.MaxInt64
	case kindTime:
		if c.hi-c.lo > math.MaxInt64/c.rate {
			return math.MaxInt64
		}
		return (c.hi-c.lo)*c.rate/1_000_000 + 1
	}
	return c.hi - c.lo + 1
}

func (s *datagenSource) Schema() *arrow.Schema { return s.schema }

func (s *datagenSource) Stats() *SourceStats { return &s.stats }

func (s *datagenSource) Open(ctx context.Context) error {
	if s.opened {
		return errors.New("source opened twice")
	}
	s.opened = true
	return ctx.Err()
}

// Next makes the next batch of rows.
func (s *datagenSource) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !s.opened || s.closed {
		return nil, errors.New("source not open")
	}
	if s.row >= s.limit {
		return nil, io.EOF
	}
	n := int(min(int64(s.batch), s.limit-s.row))
	arrs := make([]arrow.Array, len(s.cols))
	for i, c := range s.cols {
		arrs[i] = c.generate(s.mem, s.row, n)
	}
	s.row += int64(n)
	rec := array.NewRecordBatch(s.schema, arrs, int64(n))
	for _, a := range arrs {
		a.Release()
	}
	s.stats.RowsRead.Add(int64(n))
	return rec, nil
}

func (s *datagenSource) Close() error {
	s.closed = true
	return nil
}

// generate makes the values of rows first to first+n-1.
func (c *dgColumn) generate(mem memory.Allocator, first int64, n int) arrow.Array {
	c.out.reset()
	c.fout = c.fout[:0]
	c.sout.reset()
	for r := first; r < first+int64(n); r++ {
		if k := c.values(); k > 0 {
			i := int(r % int64(k))
			if !c.seq {
				i = int(c.rng.intn(uint64(k)))
			}
			c.addListed(i)
			continue
		}
		switch c.kind {
		case kindFloat:
			c.fout = append(c.fout, c.float(r))
		case kindString:
			c.buf = c.buf[:0]
			if c.seq {
				c.buf = strconv.AppendInt(c.buf, c.lo+r, 10)
			} else {
				c.buf = c.rng.appendLetters(c.buf, c.length)
			}
			c.sout.add(c.buf)
		default:
			c.out.add(c.int(r))
		}
	}
	switch c.kind {
	case kindFloat:
		return floatArray(mem, c.fout, nil)
	case kindString:
		return c.sout.array(mem)
	}
	return c.out.array(mem, c.typ)
}

func (c *dgColumn) addListed(i int) {
	switch c.kind {
	case kindFloat:
		c.fout = append(c.fout, c.floats[i])
	case kindString:
		c.sout.addString(c.strs[i])
	default:
		c.out.add(c.ints[i])
	}
}

func (c *dgColumn) float(r int64) float64 {
	if c.seq {
		return c.flo + float64(r)
	}
	return c.flo + c.rng.float()*(c.fhi-c.flo)
}

// int returns row r's value of a BIGINT, TIMESTAMP or BOOLEAN column.
func (c *dgColumn) int(r int64) int64 {
	switch {
	case c.kind == kindBool && c.seq:
		return r % 2
	case c.kind == kindBool:
		return int64(c.rng.intn(2))
	case c.seq && c.kind == kindTime:
		return c.lo + r*1_000_000/c.rate
	case c.seq:
		return c.lo + r
	}
	span := uint64(c.hi-c.lo) + 1
	if span == 0 { // the whole range of BIGINT
		return int64(c.rng.next())
	}
	return c.lo + int64(c.rng.intn(span))
}
