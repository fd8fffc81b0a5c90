package repl

import (
	"bufio"
	"io"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/weirsql/weir/connector"
)

// tableWriter prints results as a box table that stays readable while rows stream in.
//
// Column widths come from the names and the first batch (the first firing). Numbers are
// right-aligned, NULL shows as NULL. When every timestamp of the first batch falls on one UTC
// date, timestamps print as the time of day (06:01:00, or 24:00:00 for the midnight that
// ends that date when it is not a row's first timestamp) and the date is set in the table's
// top border over the first timestamp column. A later row whose first timestamp is on
// another date prints a divider with the new date first. A value on neither prints in full.
type tableWriter struct {
	bw     *bufio.Writer
	schema *arrow.Schema
	g      *grid
	stamps []bool // column j is a timestamp
	short  bool   // timestamps print as the time of day
	date   string // the date of the rows being printed, when short
	rows   int64
	closed bool
}

func newTableWriter(w io.Writer, schema *arrow.Schema) *tableWriter {
	t := &tableWriter{bw: bufio.NewWriter(w), schema: schema}
	t.g = &grid{w: t.bw}
	for _, f := range schema.Fields() {
		t.g.names = append(t.g.names, safeText(f.Name))
		t.g.right = append(t.g.right, isNumeric(f.Type))
		t.stamps = append(t.stamps, f.Type.ID() == arrow.TIMESTAMP)
	}
	t.g.fixed = t.stamps
	return t
}

// isNumeric reports whether values of t are numbers or intervals, which align right.
func isNumeric(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16,
		arrow.UINT32, arrow.UINT64, arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64,
		arrow.DECIMAL128, arrow.DECIMAL256, arrow.DURATION:
		return true
	}
	return false
}

func (t *tableWriter) WriteBatch(b arrow.RecordBatch) error {
	if t.closed {
		return errWriterClosed
	}
	rows := cellsOf(b)
	if len(rows) == 0 {
		return nil
	}
	if t.g.widths == nil {
		if err := t.start(rows); err != nil {
			return err
		}
	}

	for _, r := range rows {
		if t.short {
			if d, moved := t.movedOn(r); moved {
				t.date = d
				if err := t.g.divider(d); err != nil {
					return err
				}
			}
			t.shorten(r)
		}
		if err := t.g.row(r); err != nil {
			return err
		}
	}
	t.rows += int64(len(rows))
	return nil
}

// start decides from the first batch whether timestamps print short, fixes the widths from
// it (as it will print) and prints the header.
func (t *tableWriter) start(rows [][]string) error {
	t.date, t.short = t.commonDate(rows)
	shown := rows
	if t.short {
		shown = make([][]string, len(rows))
		for i, r := range rows {
			shown[i] = append([]string(nil), r...)
			t.shorten(shown[i])
		}
	}
	t.g.setWidths(shown)
	label := ""
	if t.short {
		label = t.date
		for j, stamp := range t.stamps { // the date goes over the first timestamp column
			if stamp {
				t.g.labelAt = j
				t.g.widths[j] = max(t.g.widths[j], textWidth(label)+2)
				break
			}
		}
	}
	return t.g.header(label)
}

// commonDate returns the date the timestamps of rows fall on, and false when they do not
// share one or there are none. The first timestamp of each row must be on that date; the
// others may also be the midnight that ends it, as a window_end is.
func (t *tableWriter) commonDate(rows [][]string) (string, bool) {
	date := ""
	for _, r := range rows {
		first := true
		for j, s := range r {
			if !t.stamps[j] || s == "NULL" {
				continue
			}
			d, ok := dateOf(s)
			if !ok {
				return "", false
			}
			if date == "" {
				date = d
			}
			if d != date && (first || !isMidnightAfter(s, date)) {
				return "", false
			}
			first = false
		}
	}
	return date, date != ""
}

// movedOn reports whether the first timestamp of row r is on another date than t.date, and
// returns that date.
func (t *tableWriter) movedOn(r []string) (string, bool) {
	for j, s := range r {
		if !t.stamps[j] || s == "NULL" {
			continue
		}
		d, ok := dateOf(s)
		return d, ok && d != t.date
	}
	return "", false
}

// shorten rewrites the timestamps of row r as times of day on t.date.
func (t *tableWriter) shorten(r []string) {
	for j, s := range r {
		if t.stamps[j] && s != "NULL" {
			r[j] = t.timeOfDay(s)
		}
	}
}

// timeOfDay returns the time of day of s when s is on t.date, "24:00:00" when s is the
// midnight that ends it, and s otherwise.
func (t *tableWriter) timeOfDay(s string) string {
	if d, ok := dateOf(s); ok && d == t.date {
		return s[len("2006-01-02T") : len(s)-1]
	}
	if isMidnightAfter(s, t.date) {
		return "24:00:00"
	}
	return s
}

// dateOf returns the date of an RFC 3339 UTC timestamp such as 2024-01-01T00:01:00.5Z.
func dateOf(s string) (string, bool) {
	const n = len("2006-01-02T15:04:05Z")
	if len(s) < n || s[10] != 'T' || s[len(s)-1] != 'Z' || s[4] != '-' {
		return "", false
	}
	return s[:10], true
}

// isMidnightAfter reports whether s is the midnight that ends date.
func isMidnightAfter(s, date string) bool {
	day, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return false
	}
	return s == day.AddDate(0, 0, 1).Format("2006-01-02T15:04:05Z")
}

func (t *tableWriter) Flush() error { return t.bw.Flush() }

// Close prints the header when no row came, the bottom border and the row count.
func (t *tableWriter) Close() error {
	if t.closed {
		return nil
	}
	t.closed = true
	if t.g.widths == nil {
		t.g.setWidths(nil)
		if err := t.g.header(""); err != nil {
			return err
		}
	}
	if err := t.g.footer(t.rows); err != nil {
		return err
	}
	return t.bw.Flush()
}

// cellsOf returns the displayed text of every cell of b, row by row.
func cellsOf(b arrow.RecordBatch) [][]string {
	nrows, cols := int(b.NumRows()), b.Columns()
	rows := make([][]string, nrows)
	for i := range rows {
		rows[i] = make([]string, len(cols))
		for j, col := range cols {
			s, ok := connector.FormatValue(col, i)
			if !ok {
				s = "NULL"
			}
			rows[i][j] = safeText(s)
		}
	}
	return rows
}

// lineWriter prints each row as `name = value` lines, names right-aligned, with a blank line
// between rows, as sqlite3's line mode does.
type lineWriter struct {
	bw     *bufio.Writer
	names  []string
	rows   int64
	closed bool
}

func newLineWriter(w io.Writer, schema *arrow.Schema) *lineWriter {
	l := &lineWriter{bw: bufio.NewWriter(w)}
	width := 0
	for _, f := range schema.Fields() {
		width = max(width, textWidth(safeText(f.Name)))
	}
	for _, f := range schema.Fields() {
		n := safeText(f.Name)
		l.names = append(l.names, strings.Repeat(" ", width-textWidth(n))+n)
	}
	return l
}

func (l *lineWriter) WriteBatch(b arrow.RecordBatch) error {
	if l.closed {
		return errWriterClosed
	}
	for _, r := range cellsOf(b) {
		if l.rows > 0 {
			l.bw.WriteByte('\n')
		}
		for j, s := range r {
			l.bw.WriteString(l.names[j])
			l.bw.WriteString(" = ")
			l.bw.WriteString(s)
			if _, err := l.bw.WriteString("\n"); err != nil {
				return err
			}
		}
		l.rows++
	}
	return nil
}

func (l *lineWriter) Flush() error { return l.bw.Flush() }

func (l *lineWriter) Close() error {
	if l.closed {
		return nil
	}
	l.closed = true
	return l.bw.Flush()
}
