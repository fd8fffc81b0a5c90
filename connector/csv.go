package connector

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"math/bits"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/weirsql/weir/functions"
	"github.com/weirsql/weir/internal/recycle"
)

// This file holds what the text sources share (opening files, reading lines, turning rows into
// batches, converting text to column values) and the CSV/TSV row format itself.

// ErrMalformed is wrapped by the error a source returns at a malformed row when its on_error
// option is 'fail'.
var ErrMalformed = errors.New("malformed row")

// RowError is the error that stops a source at a malformed row under on_error = 'fail'. It
// reads "file:line: message".
type RowError struct{ Warning }

// Error returns "file:line: message".
func (e *RowError) Error() string { return e.Warning.String() }

// Unwrap returns ErrMalformed.
func (e *RowError) Unwrap() error { return ErrMalformed }

const (
	defaultBatchSize = 4096
	readBufferSize   = 1 << 20
	maxShownValue    = 60 // bytes of a bad value quoted in a warning
)

// NewReaderSource returns a source that reads r, such as stdin or a pipe, in opts.Format (csv,
// tsv, json or regex; csv when empty); name stands for r in warnings, e.g. "stdin". opts.Path
// is ignored, opts.Compression "gzip" or "zstd" decompresses r, and opts.Filename is not
// supported. The source never closes r.
func NewReaderSource(
	name string, r io.Reader, opts FileOptions, schema *arrow.Schema, mem memory.Allocator,
) (Source, error) {
	if opts.Format == "" {
		opts.Format = "csv"
	}
	s, err := newTextSource(name, opts, schema, mem)
	if err != nil {
		return nil, err
	}
	kind, err := compressionOf(opts, "")
	if err != nil {
		return nil, err
	}
	s.input = func() (io.Reader, io.Closer, error) {
		z, closer, err := decompress(name, r, kind)
		return z, closer, err
	}
	return s, nil
}

// formatOf returns the format of opts, from the file's extension when opts.Format is empty.
func formatOf(opts FileOptions) (string, error) {
	f := strings.ToLower(opts.Format)
	if f == "" {
		p := strings.ToLower(opts.Path)
		for _, ext := range []string{".gz", ".zst", ".zstd"} {
			p = strings.TrimSuffix(p, ext)
		}
		switch {
		case strings.HasSuffix(p, ".tsv"), strings.HasSuffix(p, ".tab"):
			f = "tsv"
		case strings.HasSuffix(p, ".json"), strings.HasSuffix(p, ".jsonl"),
			strings.HasSuffix(p, ".ndjson"):
			f = "json"
		default:
			f = "csv"
		}
	}
	switch f {
	case "csv", "tsv", "regex":
		return f, nil
	case "json", "jsonl", "ndjson":
		return "json", nil
	}
	return "", fmt.Errorf("unsupported: format %q (csv, tsv, json, regex, parquet, arrow)",
		opts.Format)
}

// rowFormat reads the rows of one text format.
type rowFormat interface {
	// begin reads what comes before the rows, such as a header, and maps the columns.
	begin(s *textSource) error
	// row reads the next row into s.cells. It returns the row's first line and, for a
	// malformed row, a message saying what is wrong; err is io.EOF after the last row.
	row(s *textSource) (line int64, problem string, err error)
}

// textSource reads a text format line by line into batches. It hands out the rows it has
// whenever its input pauses, so that rows written to a pipe come out without waiting for more.
type textSource struct {
	name   string // the file in warnings
	opts   FileOptions
	schema *arrow.Schema
	mem    memory.Allocator
	reuse  *recycle.Allocator // the fixed-width columns' buffers, back from released batches
	format rowFormat
	batch  int
	nulls  []string
	input  func() (io.Reader, io.Closer, error)
	closer io.Closer // what Open opened; nil for a caller's reader
	stats  *SourceStats
	dead   *deadletter // where rejected rows go under on_error = 'deadletter'
	// ownDead is set when the source created dead itself and closes it.
	ownDead bool
	lines   lineReader
	cols    []column
	cells   []cell
	opened  bool // Open was called
	ready   bool // Open succeeded and Close was not called
	eof     bool
	// lastRows is the number of rows of the last batch.
	lastRows int
	err      error // returned once the rows read before it are out
	closing  sync.Once
	inputs   sync.Once // closes closer once, from Close or on cancellation
	inErr    error
}

var _ Source = (*textSource)(nil)

func newTextSource(
	name string, opts FileOptions, schema *arrow.Schema, mem memory.Allocator,
) (*textSource, error) {
	format, err := formatOf(opts)
	if err != nil {
		return nil, err
	}
	if _, err := compressionOf(opts, ""); err != nil {
		return nil, err
	}
	if err := checkOnError(opts); err != nil {
		return nil, err
	}
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	s := &textSource{name: name, opts: opts, schema: schema, mem: mem, nulls: opts.Null,
		stats: &SourceStats{}}
	s.batch = opts.BatchSize
	if s.batch <= 0 {
		s.batch = defaultBatchSize
	}
	for _, f := range schema.Fields() {
		k, unit, ok := kindOf(f.Type)
		if !ok {
			return nil, fmt.Errorf("column %q: unsupported: type %s in a %s source",
				f.Name, f.Type, format)
		}
		s.cols = append(s.cols, column{name: f.Name, kind: k, unit: unit, loc: opts.Timezone})
	}
	s.cells = make([]cell, len(s.cols))

	switch format {
	case "json":
		s.format = newJSONFormat(s.cols)
	case "regex":
		f, err := newRegexFormat(opts.Pattern, s.cols)
		if err != nil {
			return nil, err
		}
		s.format = f
	default:
		f, err := newCSVFormat(opts, format)
		if err != nil {
			return nil, err
		}
		s.format = f
	}
	return s, nil
}

// Schema returns the declared schema, which every batch has.
func (s *textSource) Schema() *arrow.Schema { return s.schema }

// Stats returns the source's counters.
func (s *textSource) Stats() *SourceStats { return s.stats }

// Open opens the input and reads what precedes the rows, such as a CSV header.
func (s *textSource) Open(ctx context.Context) error {
	if s.opened {
		return errors.New("source opened twice")
	}
	s.opened = true
	if s.opts.OnError == OnErrorDeadletter && s.dead == nil {
		d, err := createDeadletter(s.opts.Deadletter)
		if err != nil {
			return err
		}
		s.dead, s.ownDead = d, true
	}
	r, closer, err := s.input()
	if err != nil {
		return err
	}
	s.closer = closer
	s.lines.reset(r)
	s.lines.keep = s.dead != nil
	s.reuse = recycle.New(s.mem, 4*len(s.cols)+4)
	for i := range s.cols {
		s.cols[i].newBuilder(s.mem, s.reuse, s.schema.Field(i).Type)
	}

	stop := context.AfterFunc(ctx, s.closeInput)
	defer stop()
	if err := s.format.begin(s); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}
	s.ready = true
	return nil
}

// Next returns the rows read until the batch is full or the input pauses, never an empty
// batch; io.EOF after the last row.
func (s *textSource) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !s.ready {
		return nil, errors.New("source not open")
	}
	if s.err != nil {
		return nil, s.err
	}
	if s.eof {
		return nil, io.EOF
	}
	stop := context.AfterFunc(ctx, s.closeInput)
	defer stop()

	rows := 0
	s.reserve()
	for seen := 1; rows < s.batch; seen++ {
		if seen%defaultBatchSize == 0 && ctx.Err() != nil {
			s.err = ctx.Err()
			break
		}
		s.lines.raw = s.lines.raw[:0]
		line, problem, err := s.format.row(s)
		if err == errLineTooLong {
			line, problem, err = s.lines.line, lineTooLong(), nil
		}
		if err == io.EOF {
			s.eof = true
			break
		}
		if err != nil {
			s.err = s.readError(err)
			if ctx.Err() != nil {
				s.err = ctx.Err()
			}
			break
		}
		if problem != "" {
			w := Warning{File: s.name, Line: line, Message: problem}
			if s.opts.OnError == OnErrorFail {
				s.err = &RowError{w}
				break
			}
			if s.dead != nil && len(s.lines.raw) > 0 { // a line too long is not kept
				if err := s.dead.write(s.lines.raw); err != nil {
					s.err = err
					break
				}
			}
			s.stats.Skip(w)
		} else {
			s.appendRow()
			rows++
			if s.full() {
				break
			}
		}
		if rows > 0 && s.lines.paused() {
			break
		}
	}

	if rows == 0 {
		if s.err != nil {
			return nil, s.err
		}
		return nil, io.EOF
	}
	s.stats.RowsRead.Add(int64(rows))
	return s.newBatch(rows), nil
}

// maxBatchBytes is the most string data a batch holds: a batch ends early once a column's
// strings pass it, so that rows of megabytes make small batches, and the 32-bit offsets of
// an Arrow string array cannot overflow (maxRowBytes is smaller than 2GB less this).
var maxBatchBytes = 64 << 20

// full reports whether a column's strings fill the batch.
func (s *textSource) full() bool {
	for i := range s.cols {
		if sb := s.cols[i].sb; sb != nil && sb.DataLen() >= maxBatchBytes {
			return true
		}
	}
	return false
}

// readError describes an error reading the input, at the line after the last one read: a
// compressed input that is corrupt or ends early says so.
func (s *textSource) readError(err error) error {
	kind, _ := compressionOf(s.opts, s.name)
	var pathErr *fs.PathError
	at := fmt.Sprintf("%s:%d", s.name, s.lines.line+1)
	switch {
	case kind == "" || errors.As(err, &pathErr):
		return fmt.Errorf("%s: %w", at, err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%s: the %s data ends early (is the file cut short?): %w", at, kind,
			err)
	}
	return fmt.Errorf("%s: corrupt %s data: %w", at, kind, err)
}

// Close releases the builders and closes the input if the source opened it.
func (s *textSource) Close() error {
	var err error
	s.closing.Do(func() {
		s.ready = false
		for i := range s.cols {
			s.cols[i].release()
		}
		if s.reuse != nil {
			s.reuse.Close()
		}
		s.closeInput()
		err = s.inErr
		if s.ownDead {
			if derr := s.dead.close(); err == nil {
				err = derr
			}
		}
	})
	return err
}

// closeInput closes the input if the source opened it. Open and Next also call it when their
// context is cancelled, so that a read blocked on a slow file or a FIFO returns.
func (s *textSource) closeInput() {
	s.inputs.Do(func() {
		if s.closer != nil {
			s.inErr = s.closer.Close()
		}
	})
}

func (s *textSource) appendRow() {
	for i := range s.cols {
		s.cols[i].append(&s.cells[i])
	}
}

// reserve makes room in the builders for as many rows as the last batch had, so that reading
// a file grows no buffer while a trickle from a pipe reserves little.
func (s *textSource) reserve() {
	for i := range s.cols {
		s.cols[i].reserve(s.lastRows, s.cols[i].lastBytes)
	}
}

func (s *textSource) newBatch(rows int) arrow.RecordBatch {
	s.lastRows = rows
	arrs := make([]arrow.Array, len(s.cols))
	for i := range s.cols {
		c := &s.cols[i]
		if c.sb != nil {
			c.lastBytes = c.sb.DataLen()
		}
		arrs[i] = c.array()
	}
	rec := array.NewRecordBatch(s.schema, arrs, int64(rows))
	for _, a := range arrs {
		a.Release()
	}
	return rec
}

// isNull reports whether v is one of the strings the options read as NULL.
func (s *textSource) isNull(v []byte) bool {
	for _, n := range s.nulls {
		if string(v) == n {
			return true
		}
	}
	return false
}

// kind is how a column's values are parsed and stored.
type kind uint8

const (
	kindBool kind = iota
	kindInt
	kindFloat
	kindString
	kindTime
)

func kindOf(t arrow.DataType) (kind, arrow.TimeUnit, bool) {
	switch t.ID() {
	case arrow.BOOL:
		return kindBool, 0, true
	case arrow.INT64:
		return kindInt, 0, true
	case arrow.FLOAT64:
		return kindFloat, 0, true
	case arrow.STRING:
		return kindString, 0, true
	case arrow.TIMESTAMP:
		return kindTime, t.(*arrow.TimestampType).Unit, true
	}
	return 0, 0, false
}

// cell is one value of the row being read, before it goes into a builder.
type cell struct {
	null bool
	i    int64 // BIGINT, TIMESTAMP in the column's unit, BOOLEAN as 0 or 1
	f    float64
	s    []byte // VARCHAR, valid until the next row is read
}

// column is a column of the declared schema with its builder.
type column struct {
	name string
	kind kind
	unit arrow.TimeUnit
	loc  *time.Location // the zone of timestamps written without one; nil for UTC
	tz   tzCache
	// times parses the column's timestamps, remembering the last date read.
	times functions.TimestampParser
	// lastBytes is the length of the string data of the last batch.
	lastBytes int
	// fixed gathers a BIGINT, DOUBLE or TIMESTAMP column; the others have a builder.
	fixed *fixedColumn
	b     array.Builder
	bb    *array.BooleanBuilder
	sb    *array.BinaryBuilder
}

// newBuilder readies the column for its first batch: builders take their memory from mem,
// fixed-width columns from reuse (which does not zero it).
func (c *column) newBuilder(mem memory.Allocator, reuse *recycle.Allocator, t arrow.DataType) {
	switch c.kind {
	case kindBool:
		c.bb = array.NewBooleanBuilder(mem)
		c.b = c.bb
	case kindString:
		sb := array.NewStringBuilder(mem)
		c.sb = sb.BinaryBuilder
		c.b = sb
	default:
		c.fixed = &fixedColumn{mem: reuse, typ: t}
	}
}

func (c *column) append(v *cell) {
	if c.fixed != nil {
		switch {
		case v.null:
			c.fixed.addNull()
		case c.kind == kindFloat:
			c.fixed.add(int64(math.Float64bits(v.f)))
		default:
			c.fixed.add(v.i)
		}
		return
	}
	if v.null {
		c.b.AppendNull()
		return
	}
	if c.kind == kindBool {
		c.bb.Append(v.i != 0)
		return
	}
	c.sb.Append(v.s)
}

// reserve begins a batch with room for rows values.
func (c *column) reserve(rows, bytes int) {
	if c.fixed != nil {
		c.fixed.start(rows)
		return
	}
	c.b.Reserve(rows)
	if c.sb != nil {
		c.sb.ReserveData(bytes)
	}
}

// array hands the batch's values over as an Arrow array.
func (c *column) array() arrow.Array {
	if c.fixed != nil {
		return c.fixed.array()
	}
	return c.b.NewArray()
}

// release drops the column's buffers and builder.
func (c *column) release() {
	if c.fixed != nil {
		c.fixed.release()
	}
	if c.b != nil {
		c.b.Release()
		c.b = nil
	}
}

// typeName is the SQL name of the column's type, for messages.
func (c *column) typeName() string {
	switch c.kind {
	case kindBool:
		return "BOOLEAN"
	case kindInt:
		return "BIGINT"
	case kindFloat:
		return "DOUBLE"
	case kindTime:
		return "TIMESTAMP"
	}
	return "VARCHAR"
}

// parseText converts the text of a field into v and reports whether it fits the column's type.
// Spaces around a number, boolean or timestamp are ignored; a string is kept as it is.
func (c *column) parseText(text []byte, v *cell) bool {
	v.null = false
	switch c.kind {
	case kindString:
		v.s = text
		return utf8.Valid(text)
	case kindInt:
		var ok bool
		v.i, ok = parseInt(trimSpaces(text))
		return ok
	case kindFloat:
		var ok bool
		v.f, ok = parseFloat(trimSpaces(text))
		return ok
	case kindBool:
		b, ok := parseBool(trimSpaces(text))
		v.i = 0
		if b {
			v.i = 1
		}
		return ok
	case kindTime:
		var ok bool
		v.i, ok = c.parseTime(trimSpaces(text))
		return ok
	}
	return false
}

// parseTime reads a timestamp as functions.ParseTimestamp does, in the column's zone when
// the text has none, and returns it in the column's unit.
func (c *column) parseTime(text []byte) (int64, bool) {
	us, ok := c.times.Parse(text)
	if !ok {
		return 0, false
	}
	if c.loc != nil && !hasZone(text) {
		us = c.tz.toUTC(us, c.loc)
	}
	return fromMicros(us, c.unit)
}

// notA is the message for a value that does not fit the column's type.
func (c *column) notA(shown []byte) string {
	return fmt.Sprintf("column %q: %s is not a %s", c.name, showValue(shown), c.typeName())
}

// problem is the message for text that parseText refused.
func (c *column) problem(text []byte) string {
	switch c.kind {
	case kindString:
		return badUTF8(c.name, text, showValue(text))
	case kindInt:
		if isInteger(trimSpaces(text)) {
			return c.outOfRange(showValue(text))
		}
	case kindFloat:
		_, err := strconv.ParseFloat(string(trimSpaces(text)), 64)
		if errors.Is(err, strconv.ErrRange) {
			return c.outOfRange(showValue(text))
		}
	}
	return c.notA(text)
}

func (c *column) outOfRange(shown string) string {
	return fmt.Sprintf("column %q: %s is out of range for a %s", c.name, shown, c.typeName())
}

// badUTF8 is the message for a VARCHAR value that is not valid UTF-8.
func badUTF8(column string, text []byte, shown string) string {
	at := 0
	for at < len(text) {
		r, n := utf8.DecodeRune(text[at:])
		if r == utf8.RuneError && n <= 1 {
			break
		}
		at += n
	}
	return fmt.Sprintf("column %q: invalid UTF-8 at byte %d of %s", column, at+1, shown)
}

// isInteger reports whether b is a decimal integer with an optional sign, of any length.
func isInteger(b []byte) bool {
	_, b = cutSign(b)
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(b) > 0
}

// plural writes n and a noun, with an s unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// showValue quotes a value for a message, shortened when it is long.
func showValue(v []byte) string {
	if len(v) > maxShownValue {
		return strconv.Quote(string(v[:maxShownValue])) + "..."
	}
	return strconv.Quote(string(v))
}

// fromMicros converts microseconds to unit, reporting false when the result overflows.
func fromMicros(us int64, unit arrow.TimeUnit) (int64, bool) {
	switch unit {
	case arrow.Second:
		return floorDiv(us, 1_000_000), true
	case arrow.Millisecond:
		return floorDiv(us, 1_000), true
	case arrow.Nanosecond:
		if us > math.MaxInt64/1000 || us < math.MinInt64/1000 {
			return 0, false
		}
		return us * 1000, true
	}
	return us, true
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func trimSpaces(b []byte) []byte {
	for len(b) > 0 && b[0] == ' ' {
		b = b[1:]
	}
	for len(b) > 0 && b[len(b)-1] == ' ' {
		b = b[:len(b)-1]
	}
	return b
}

// parseInt reads a decimal integer with an optional sign; false when it is not one or does not
// fit in 64 bits.
func parseInt(b []byte) (int64, bool) {
	neg, b := cutSign(b)
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var u uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		u = u*10 + uint64(c-'0')
	}
	if neg {
		if u > 1<<63 {
			return 0, false
		}
		return int64(-u), true
	}
	if u > math.MaxInt64 {
		return 0, false
	}
	return int64(u), true
}

// cutSign removes a leading + or - from b and reports whether it was a minus.
func cutSign(b []byte) (neg bool, rest []byte) {
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		return b[0] == '-', b[1:]
	}
	return false, b
}

// parseFloat reads a number as strconv.ParseFloat does, NaN and Infinity included; a value out
// of the range of a double is not one.
func parseFloat(b []byte) (float64, bool) {
	if f, ok := parseDecimal(b); ok {
		return f, true
	}
	f, err := strconv.ParseFloat(string(b), 64)
	return f, err == nil
}

// exactPow10 are the powers of ten a double holds exactly.
var exactPow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseDecimal reads the common case of a number, an optional sign, digits and an optional
// fraction, when its digits make an integer m below 2^53 with at most 22 of them after the
// point: m and the power of ten are then exact doubles, and one division rounds m / 10^k
// correctly, as strconv.ParseFloat would. It reports false for anything else, which
// ParseFloat then reads.
func parseDecimal(b []byte) (float64, bool) {
	neg, b := cutSign(b)
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var m uint64
	frac, digits := -1, 0
	for i, c := range b {
		switch {
		case c >= '0' && c <= '9':
			m = m*10 + uint64(c-'0')
			digits++
		case c == '.' && frac < 0:
			frac = len(b) - i - 1
		default:
			return 0, false
		}
	}
	if digits == 0 || m >= 1<<53 {
		return 0, false
	}
	f := float64(m)
	if frac > 0 {
		f /= exactPow10[frac]
	}
	if neg {
		f = -f
	}
	return f, true
}

// parseBool reads true, false, t, f, 1, 0, yes and no in any case.
func parseBool(b []byte) (value, ok bool) {
	if len(b) > 5 {
		return false, false
	}
	var low [5]byte
	for i, c := range b {
		low[i] = c | 0x20
	}
	switch string(low[:len(b)]) {
	case "true", "t", "1", "yes":
		return true, true
	case "false", "f", "0", "no":
		return false, true
	}
	return false, false
}

// csvFormat reads CSV as RFC 4180 describes it: a field that starts with a double quote ends at
// the next lone one, may hold delimiters and line ends, and writes a quote as "". A quote
// elsewhere in a field is an ordinary character. TSV (the IANA text/tab-separated-values
// format) has no quoting: its fields cannot hold a tab or a line end, so quotes are read
// literally there. An empty field that is not quoted is NULL, and so is a field, quoted or
// not, that equals one of the null option's strings (as DuckDB's allow_quoted_nulls does).
// Blank lines are skipped.
type csvFormat struct {
	delim  byte
	quotes bool
	header bool
	width  int   // the fields of the header
	index  []int // the field of each declared column
	// The fields of the current record: field i ends at ends[i] in text and starts one byte
	// after the end of field i-1 (at 0 for the first). text is the line itself when it holds
	// no quote, else rec, where the fields' contents are written with a byte between each.
	// quoted says whether each field was quoted; it is empty for a line without quotes.
	text   []byte
	rec    []byte
	ends   []int
	quoted []bool
}

func newCSVFormat(opts FileOptions, format string) (*csvFormat, error) {
	f := &csvFormat{delim: ',', quotes: format == "csv", header: true}
	if format == "tsv" {
		f.delim = '\t'
	}
	if opts.Delimiter != 0 {
		if opts.Delimiter > 127 || opts.Delimiter == '"' || opts.Delimiter == '\n' ||
			opts.Delimiter == '\r' {
			return nil, fmt.Errorf("unsupported: delimiter %q", opts.Delimiter)
		}
		f.delim = byte(opts.Delimiter)
	}
	if opts.Header != nil {
		f.header = *opts.Header
	}
	return f, nil
}

func (f *csvFormat) begin(s *textSource) error {
	f.index = make([]int, len(s.cols))
	if !f.header {
		for i := range f.index {
			f.index[i] = i
		}
		return nil
	}

	line, problem, err := f.record(&s.lines)
	switch err {
	case io.EOF:
		return nil // an empty input has no header and no rows
	case errLineTooLong:
		return fmt.Errorf("%s:%d: header: %s", s.name, s.lines.line, lineTooLong())
	}
	if err != nil {
		return s.readError(err)
	}
	if problem != "" {
		return fmt.Errorf("%s:%d: header: %s", s.name, line, problem)
	}
	names := headerNames(f.fields())
	f.width = len(names)
	for i, c := range s.cols {
		f.index[i] = -1
		for j, n := range names {
			if strings.EqualFold(n, c.name) {
				f.index[i] = j
				break
			}
		}
		if f.index[i] < 0 {
			return fmt.Errorf("%s: column %q is not in the header (its columns: %s)",
				s.name, c.name, strings.Join(names, ", "))
		}
	}
	return nil
}

func (f *csvFormat) row(s *textSource) (int64, string, error) {
	line, problem, err := f.record(&s.lines)
	if err != nil || problem != "" {
		return line, problem, err
	}

	n := len(f.ends)
	if f.header && n != f.width {
		return line, fmt.Sprintf("the row has %s, the header %d", plural(n, "field"), f.width),
			nil
	}
	for i := range s.cols {
		c, v := &s.cols[i], &s.cells[i]
		j := f.index[i]
		if j >= n {
			return line, fmt.Sprintf("column %q: missing, the row has %d fields", c.name, n), nil
		}
		text := f.field(j)
		if len(text) == 0 && !f.isQuoted(j) || s.isNull(text) {
			v.null = true
			continue
		}
		if !c.parseText(text, v) {
			return line, c.problem(text), nil
		}
	}
	return line, "", nil
}

// fields returns the fields of the current record.
func (f *csvFormat) fields() [][]byte {
	out := make([][]byte, len(f.ends))
	for i := range f.ends {
		out[i] = f.field(i)
	}
	return out
}

// field returns field i of the current record.
func (f *csvFormat) field(i int) []byte {
	if i == 0 {
		return f.text[:f.ends[0]]
	}
	return f.text[f.ends[i-1]+1 : f.ends[i]]
}

// isQuoted reports whether field i of the current record was quoted.
func (f *csvFormat) isQuoted(i int) bool { return i < len(f.quoted) && f.quoted[i] }

// record reads the next record, which may span lines when a quoted field holds a line end,
// into rec, ends and quoted. It returns the record's first line.
//
// A record over several lines that turns out malformed (its quote is never closed, or text
// follows the closing quote) is its first line alone: the lines after it are read again, each
// as a record of its own line (see lineReader.hold). A stray quote thus costs one row, not
// the rest of the file, and a quote left open cannot gather more than maxRowBytes.
func (f *csvFormat) record(lines *lineReader) (int64, string, error) {
	f.rec, f.ends, f.quoted = f.rec[:0], f.ends[:0], f.quoted[:0]
	b, err := lines.next()
	for err == nil && len(b) == 0 {
		b, err = lines.next()
	}
	if err != nil {
		return lines.line, "", err
	}
	first := lines.line
	if !f.quotes || bytes.IndexByte(b, '"') < 0 {
		f.split(b)
		return first, "", nil
	}
	single := lines.replayed // a line read again is a record of its own
	spans := false

	for {
		if !f.quotes || len(b) == 0 || b[0] != '"' {
			i := bytes.IndexByte(b, f.delim)
			if i < 0 {
				f.rec = append(f.rec, b...)
				f.endField(false)
				return first, "", f.done(lines, spans)
			}
			f.rec = append(f.rec, b[:i]...)
			f.endField(false)
			b = b[i+1:]
			continue
		}

		b = b[1:]
		for {
			i := bytes.IndexByte(b, '"')
			if i < 0 {
				// The quoted field goes on past the end of the line.
				f.rec = append(f.rec, b...)
				if problem := f.overLines(lines, single, &spans); problem != "" {
					return first, problem, nil
				}
				f.rec = append(f.rec, '\n')
				b, err = lines.next()
				switch err {
				case nil:
					continue
				case io.EOF, errLineTooLong:
					lines.unread()
					return first, "unterminated quoted field", nil
				}
				return first, "", err
			}
			f.rec = append(f.rec, b[:i]...)
			b = b[i+1:]
			if len(b) > 0 && b[0] == '"' {
				f.rec = append(f.rec, '"')
				b = b[1:]
				continue
			}
			break
		}
		f.endField(true)
		if len(b) == 0 {
			return first, "", f.done(lines, spans)
		}
		if b[0] != f.delim {
			if spans {
				lines.unread()
			}
			return first, fmt.Sprintf("field %d: text after the closing quote", len(f.ends)), nil
		}
		b = b[1:]
	}
}

// split takes the fields of a line without quotes, as slices of the line. It looks for the
// delimiter eight bytes at a time: in the word x of those bytes with the delimiter's bits
// flipped, a byte is zero where the delimiter was, and the high bit of each byte of
// ^(((x & 0x7f..) + 0x7f..) | x | 0x7f..) is set exactly where x has a zero byte, with no
// carry between bytes.
func (f *csvFormat) split(b []byte) {
	const low7 = 0x7f7f7f7f7f7f7f7f
	f.text = b
	ends := f.ends
	pattern := uint64(f.delim) * 0x0101010101010101
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:]) ^ pattern
		hits := ^((x&low7 + low7) | x | low7)
		for hits != 0 {
			ends = append(ends, i+bits.TrailingZeros64(hits)/8)
			hits &= hits - 1
		}
	}
	for ; i < len(b); i++ {
		if b[i] == f.delim {
			ends = append(ends, i)
		}
	}
	f.ends = append(ends, len(b))
}

// overLines checks that the quoted field being read may go on to the next line, and says
// why not when it may not: the record is a line read again, or it has grown too long.
func (f *csvFormat) overLines(lines *lineReader, single bool, spans *bool) string {
	switch {
	case single:
		return "unterminated quoted field"
	case len(f.rec) > maxRowBytes:
		lines.unread()
		return fmt.Sprintf("unterminated quoted field (no closing quote within %s)",
			formatSize(int64(maxRowBytes)))
	case !*spans:
		lines.hold()
		*spans = true
	}
	return ""
}

// done ends a well-formed record, dropping the lines kept while it was read.
func (f *csvFormat) done(lines *lineReader, spans bool) error {
	f.text = f.rec
	if spans {
		lines.release()
	}
	return nil
}

func (f *csvFormat) endField(quoted bool) {
	f.ends = append(f.ends, len(f.rec))
	f.rec = append(f.rec, f.delim) // the byte between two fields
	f.quoted = append(f.quoted, quoted)
}

// headerNames returns the column names of a header: spaces around a name are dropped, an
// empty name becomes column<n> (n from 1), and a name seen before, in any case, gets a
// suffix _1, _2, ...
func headerNames(fields [][]byte) []string {
	names := make([]string, len(fields))
	seen := make(map[string]bool, len(fields))
	for i, f := range fields {
		name := strings.TrimSpace(string(f))
		if name == "" {
			name = fmt.Sprintf("column%d", i+1)
		}
		base := name
		for k := 1; seen[strings.ToLower(name)]; k++ {
			name = fmt.Sprintf("%s_%d", base, k)
		}
		seen[strings.ToLower(name)] = true
		names[i] = name
	}
	return names
}
