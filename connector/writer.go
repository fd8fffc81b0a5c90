package connector

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/weirsql/weir/functions"
)

// RowWriter prints a query's result batches as they come.
//
// The caller calls WriteBatch for each batch, Flush after each one so that rows appear as
// windows fire, and Close once at the end. Output errors (a closed pipe, a full disk) are
// returned by the call that meets them.
type RowWriter interface {
	// WriteBatch writes the rows of b; it does not retain b. The batch must have the
	// columns of the writer's schema, in order. It fails after Close.
	WriteBatch(b arrow.RecordBatch) error
	// Flush pushes buffered output to the underlying writer.
	Flush() error
	// Close writes anything still pending (a table's header when no row came, its bottom
	// border and row count) and flushes. Close is idempotent.
	Close() error
}

// ErrUnknownOutputFormat is returned by NewRowWriter for a format it does not know.
var ErrUnknownOutputFormat = errors.New("unknown output format")

// errRowWriterClosed is returned by WriteBatch after Close.
var errRowWriterClosed = errors.New("row writer is closed")

// WriteError is a failure to create or write the file a result goes to: a full disk, a
// folder that does not exist, a device that refuses writes. Its text names the file, the
// operation and the cause ("out.csv: write: no space left on device"); errors.Is sees the
// cause (syscall.ENOSPC, fs.ErrNotExist).
type WriteError struct {
	Path string // the file, as the user named it
	Err  error
}

func (e *WriteError) Error() string {
	var pe *fs.PathError
	if errors.As(e.Err, &pe) {
		return fmt.Sprintf("%s: %s: %v", e.Path, pe.Op, pe.Err)
	}
	return fmt.Sprintf("%s: %v", e.Path, e.Err)
}

func (e *WriteError) Unwrap() error { return e.Err }

// rowWriterFormats are the formats NewRowWriter accepts, in the order its error lists them.
var rowWriterFormats = []string{"table", "csv", "tsv", "json", "markdown", "parquet", "arrow",
	"none"}

// RowWriterFormats returns the names of the formats NewRowWriter accepts.
func RowWriterFormats() []string {
	return append([]string(nil), rowWriterFormats...)
}

// NewRowWriter returns a writer that prints batches of schema to w in format:
//
//   - csv: a header row of column names, then one line per row; a field is quoted (RFC 4180)
//     only when it holds the delimiter, a quote, a line break, or is an empty string, so that
//     an empty field reads back as NULL and "" as the empty string.
//   - tsv: the same with a tab between fields.
//   - json: one JSON object per line, keys in column order, NULL as null, numbers as numbers
//     except NaN, Infinity and -Infinity, which are strings; timestamps and intervals are
//     strings.
//   - markdown: a GitHub table.
//   - table: a box-drawn table for terminals, printed as rows arrive (see tableWriter).
//   - parquet: a Parquet file, whole only after Close, which writes its footer.
//   - arrow: an Arrow IPC file (the file format, readable by pyarrow.ipc.open_file and
//     DuckDB), whole only after Close.
//   - none: discards the rows.
//
// Cells print as FormatValue gives them. Output is buffered; it reaches w at Flush and Close.
func NewRowWriter(format string, w io.Writer, schema *arrow.Schema) (RowWriter, error) {
	bw := bufio.NewWriter(w)
	switch strings.ToLower(format) {
	case "csv":
		return newDelimitedWriter(bw, schema, ',')
	case "tsv":
		return newDelimitedWriter(bw, schema, '\t')
	case "json":
		return newJSONRowWriter(bw, schema), nil
	case "markdown":
		return newGridWriter(bw, schema, markdownGrid), nil
	case "table":
		return newGridWriter(bw, schema, boxGrid), nil
	case "parquet":
		return newParquetWriter(bw, schema)
	case "arrow":
		return newArrowWriter(bw, schema)
	case "none":
		return discardRowWriter{}, nil
	}
	return nil, fmt.Errorf("%w %q (valid formats: %s)",
		ErrUnknownOutputFormat, format, strings.Join(rowWriterFormats, ", "))
}

// checkBatch reports a batch whose columns do not match the writer's schema.
func checkBatch(schema *arrow.Schema, b arrow.RecordBatch) error {
	if int(b.NumCols()) != schema.NumFields() {
		return fmt.Errorf("batch has %d columns, the result has %d", b.NumCols(),
			schema.NumFields())
	}
	return nil
}

// FormatValue returns the text of row i of arr as weir prints it, and false when the value
// is NULL (the text is then empty).
//
// Booleans print as true and false, BIGINT in decimal, DOUBLE as functions.FormatDouble
// gives it, timestamps as functions.FormatTimestamp gives them (RFC 3339 in UTC; units other
// than microseconds are converted, nanoseconds rounded down), strings as they are, and
// intervals as [-]HH:MM:SS[.fraction], DuckDB's text for an interval of hours and less. An
// INTERVAL is a Duration, with no day or month part, so hours are never folded into days:
// 36 hours print as 36:00:00 and '1 day' as 24:00:00 (DuckDB prints "1 day"). The fraction
// has as many digits as needed and no more (00:00:01.5). Other Arrow types print as arrow's
// ValueStr gives them.
func FormatValue(arr arrow.Array, i int) (string, bool) {
	if isNull(arr, i) {
		return "", false
	}
	if s, ok := arr.(*array.String); ok {
		return s.Value(i), true
	}
	return string(appendValue(nil, arr, i)), true
}

// appendValue appends the text of row i of arr, which is not NULL, to dst.
func appendValue(dst []byte, arr arrow.Array, i int) []byte {
	switch a := arr.(type) {
	case *array.Boolean:
		return strconv.AppendBool(dst, a.Value(i))
	case *array.Int64:
		return strconv.AppendInt(dst, a.Value(i), 10)
	case *array.Float64:
		return functions.AppendDouble(dst, a.Value(i))
	case *array.String:
		return append(dst, a.Value(i)...)
	case *array.LargeString:
		return append(dst, a.Value(i)...)
	case *array.StringView:
		return append(dst, a.Value(i)...)
	case *array.Timestamp:
		unit := a.DataType().(*arrow.TimestampType).Unit
		return functions.AppendTimestamp(dst, toMicros(int64(a.Value(i)), unit))
	case *array.Duration:
		unit := a.DataType().(*arrow.DurationType).Unit
		return appendInterval(dst, int64(a.Value(i)), unit)
	}
	return append(dst, arr.ValueStr(i)...)
}

// toMicros converts v in unit to microseconds, rounding nanoseconds down.
func toMicros(v int64, unit arrow.TimeUnit) int64 {
	switch unit {
	case arrow.Second:
		return v * 1_000_000
	case arrow.Millisecond:
		return v * 1_000
	case arrow.Nanosecond:
		us := v / 1_000
		if v%1_000 < 0 {
			us--
		}
		return us
	}
	return v
}

// appendInterval appends a duration of v units as [-]HH:MM:SS[.fraction].
func appendInterval(dst []byte, v int64, unit arrow.TimeUnit) []byte {
	abs := uint64(v)
	if v < 0 {
		dst = append(dst, '-')
		abs = -abs // two's complement: right for math.MinInt64 too
	}

	perSecond := uint64(1)
	digits := 0
	switch unit {
	case arrow.Millisecond:
		perSecond, digits = 1_000, 3
	case arrow.Microsecond:
		perSecond, digits = 1_000_000, 6
	case arrow.Nanosecond:
		perSecond, digits = 1_000_000_000, 9
	}
	secs, frac := abs/perSecond, abs%perSecond

	dst = appendTwoDigits(dst, secs/3600)
	dst = append(dst, ':')
	dst = appendTwoDigits(dst, secs/60%60)
	dst = append(dst, ':')
	dst = appendTwoDigits(dst, secs%60)
	if frac == 0 {
		return dst
	}
	for frac%10 == 0 {
		frac /= 10
		digits--
	}
	dst = append(dst, '.')
	for x := frac; x >= 10; x /= 10 {
		digits--
	}
	for range digits - 1 {
		dst = append(dst, '0') // leading zeros of the fraction
	}
	return strconv.AppendUint(dst, frac, 10)
}

// appendTwoDigits appends n in decimal with at least two digits.
func appendTwoDigits(dst []byte, n uint64) []byte {
	if n < 10 {
		dst = append(dst, '0')
	}
	return strconv.AppendUint(dst, n, 10)
}

// delimitedWriter writes csv and tsv.
type delimitedWriter struct {
	bw     *bufio.Writer
	schema *arrow.Schema
	comma  byte
	line   []byte
	cell   []byte
	closed bool
}

func newDelimitedWriter(bw *bufio.Writer, schema *arrow.Schema, comma byte) (
	*delimitedWriter, error) {
	w := &delimitedWriter{bw: bw, schema: schema, comma: comma}
	for j, f := range schema.Fields() {
		if j > 0 {
			w.line = append(w.line, comma)
		}
		w.line = w.appendField(w.line, []byte(f.Name))
	}
	w.line = append(w.line, '\n')
	if _, err := bw.Write(w.line); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *delimitedWriter) WriteBatch(b arrow.RecordBatch) error {
	if w.closed {
		return errRowWriterClosed
	}
	if err := checkBatch(w.schema, b); err != nil {
		return err
	}

	cols := b.Columns()
	for i := range int(b.NumRows()) {
		w.line = w.line[:0]
		for j, col := range cols {
			if j > 0 {
				w.line = append(w.line, w.comma)
			}
			if isNull(col, i) {
				continue
			}
			w.cell = appendValue(w.cell[:0], col, i)
			w.line = w.appendField(w.line, w.cell)
		}
		w.line = append(w.line, '\n')
		if _, err := w.bw.Write(w.line); err != nil {
			return err
		}
	}
	return nil
}

// appendField appends a non-NULL field, quoted when it must be.
func (w *delimitedWriter) appendField(dst, field []byte) []byte {
	if !w.needsQuotes(field) {
		return append(dst, field...)
	}
	dst = append(dst, '"')
	for _, c := range field {
		if c == '"' {
			dst = append(dst, '"')
		}
		dst = append(dst, c)
	}
	return append(dst, '"')
}

// needsQuotes reports whether a field must be quoted: an empty string (to tell it from
// NULL), or one holding the delimiter, a quote or a line break.
func (w *delimitedWriter) needsQuotes(field []byte) bool {
	if len(field) == 0 {
		return true
	}
	for _, c := range field {
		if c == w.comma || c == '"' || c == '\n' || c == '\r' {
			return true
		}
	}
	return false
}

func (w *delimitedWriter) Flush() error { return w.bw.Flush() }

func (w *delimitedWriter) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	return w.bw.Flush()
}

// jsonRowWriter writes one JSON object per row and line.
type jsonRowWriter struct {
	bw     *bufio.Writer
	schema *arrow.Schema
	keys   [][]byte // `{"name":` for the first column, `,"name":` for the others
	line   []byte
	closed bool
}

func newJSONRowWriter(bw *bufio.Writer, schema *arrow.Schema) *jsonRowWriter {
	w := &jsonRowWriter{bw: bw, schema: schema}
	for j, f := range schema.Fields() {
		key := []byte{','}
		if j == 0 {
			key[0] = '{'
		}
		key = appendJSONString(key, f.Name)
		w.keys = append(w.keys, append(key, ':'))
	}
	return w
}

func (w *jsonRowWriter) WriteBatch(b arrow.RecordBatch) error {
	if w.closed {
		return errRowWriterClosed
	}
	if err := checkBatch(w.schema, b); err != nil {
		return err
	}

	cols := b.Columns()
	for i := range int(b.NumRows()) {
		w.line = w.line[:0]
		if len(cols) == 0 {
			w.line = append(w.line, '{')
		}
		for j, col := range cols {
			w.line = append(w.line, w.keys[j]...)
			w.line = appendJSONValue(w.line, col, i)
		}
		w.line = append(w.line, '}', '\n')
		if _, err := w.bw.Write(w.line); err != nil {
			return err
		}
	}
	return nil
}

func (w *jsonRowWriter) Flush() error { return w.bw.Flush() }

func (w *jsonRowWriter) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	return w.bw.Flush()
}

// appendJSONValue appends row i of col as a JSON value.
func appendJSONValue(dst []byte, col arrow.Array, i int) []byte {
	if isNull(col, i) {
		return append(dst, "null"...)
	}
	switch a := col.(type) {
	case *array.Boolean, *array.Int64:
		return appendValue(dst, col, i)
	case *array.Float64:
		f := a.Value(i)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return appendJSONString(dst, functions.FormatDouble(f))
		}
		return functions.AppendDouble(dst, f)
	case *array.String:
		return appendJSONString(dst, a.Value(i))
	case *array.Timestamp, *array.Duration:
		dst = append(dst, '"') // their text needs no escape
		return append(appendValue(dst, col, i), '"')
	}
	switch col.DataType().ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.UINT8, arrow.UINT16, arrow.UINT32,
		arrow.UINT64:
		return appendValue(dst, col, i)
	}
	return appendJSONString(dst, string(appendValue(nil, col, i)))
}

// appendJSONString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				dst = append(dst, `\ufffd`...)
			} else {
				dst = append(dst, s[i:i+size]...)
			}
			i += size
			continue
		}
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\r':
			dst = append(dst, '\\', 'r')
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c == '\b':
			dst = append(dst, '\\', 'b')
		case c == '\f':
			dst = append(dst, '\\', 'f')
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			dst = append(dst, c)
		}
		i++
	}
	return append(dst, '"')
}

// discardRowWriter is the "none" format: it checks nothing and writes nothing.
type discardRowWriter struct{}

func (discardRowWriter) WriteBatch(arrow.RecordBatch) error { return nil }
func (discardRowWriter) Flush() error                       { return nil }
func (discardRowWriter) Close() error                       { return nil }

// The writers satisfy RowWriter.
var (
	_ RowWriter = (*delimitedWriter)(nil)
	_ RowWriter = (*jsonRowWriter)(nil)
	_ RowWriter = (*gridWriter)(nil)
	_ RowWriter = discardRowWriter{}
)

// isNull reports whether row i of arr is NULL. Every row of an array of the NULL type is,
// though such an array has no validity bitmap for IsNull to read.
func isNull(arr arrow.Array, i int) bool {
	return arr.DataType().ID() == arrow.NULL || arr.IsNull(i)
}
