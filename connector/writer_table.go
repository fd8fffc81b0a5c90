package connector

import (
	"bufio"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
)

// gridStyle is how a gridWriter draws: a box-drawn terminal table or a GitHub markdown table.
type gridStyle int

const (
	boxGrid gridStyle = iota
	markdownGrid
)

// Minimum column widths. A numeric column gets room for counts and sums that grow after the
// first batch; a markdown delimiter cell needs three characters.
const (
	minNumericWidth  = 8
	minMarkdownWidth = 3
)

// gridWriter writes the table and markdown formats, which stay readable while rows stream in.
//
// The header is printed once, before the first batch that has rows (or at Close when none
// had), with each column as wide as the widest of its name and its values in that batch, and
// at least minNumericWidth for numbers and intervals. Later rows keep those widths; a value
// wider than its column widens only its own row, so nothing printed is ever redrawn. Numbers
// and intervals are right-aligned, other values left-aligned, and NULL shows as NULL. At
// Close a box table prints its bottom border and a "(N rows)" line.
type gridWriter struct {
	bw     *bufio.Writer
	schema *arrow.Schema
	style  gridStyle
	right  []bool // right-align column j
	widths []int  // set when the header is printed
	cells  []string
	line   []byte
	rows   int64
	closed bool
}

func newGridWriter(bw *bufio.Writer, schema *arrow.Schema, style gridStyle) *gridWriter {
	w := &gridWriter{bw: bw, schema: schema, style: style}
	w.right = make([]bool, schema.NumFields())
	for j, f := range schema.Fields() {
		w.right[j] = isRightAligned(f.Type)
	}
	return w
}

// isRightAligned reports whether values of t are numbers or intervals.
func isRightAligned(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16,
		arrow.UINT32, arrow.UINT64, arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64,
		arrow.DECIMAL128, arrow.DECIMAL256, arrow.DURATION:
		return true
	}
	return false
}

func (w *gridWriter) WriteBatch(b arrow.RecordBatch) error {
	if w.closed {
		return errRowWriterClosed
	}
	if err := checkBatch(w.schema, b); err != nil {
		return err
	}
	nrows, ncols := int(b.NumRows()), int(b.NumCols())
	if nrows == 0 {
		return nil
	}

	w.cells = w.cells[:0]
	for i := range nrows {
		for _, col := range b.Columns() {
			w.cells = append(w.cells, w.cellText(col, i))
		}
	}
	if w.widths == nil {
		w.setWidths(w.cells)
		if err := w.writeHeader(); err != nil {
			return err
		}
	}

	for i := range nrows {
		if err := w.writeRow(w.cells[i*ncols : (i+1)*ncols]); err != nil {
			return err
		}
	}
	w.rows += int64(nrows)
	return nil
}

// cellText returns the displayed text of row i of col.
func (w *gridWriter) cellText(col arrow.Array, i int) string {
	s, ok := FormatValue(col, i)
	if !ok {
		return "NULL"
	}
	if w.style == markdownGrid {
		return markdownText(s)
	}
	return terminalText(s)
}

// setWidths fixes the column widths from the names and the rows of cells (none at Close).
func (w *gridWriter) setWidths(cells []string) {
	ncols := len(w.right)
	w.widths = make([]int, ncols)
	for j, f := range w.schema.Fields() {
		w.widths[j] = textWidth(w.headerText(f.Name))
		if w.right[j] {
			w.widths[j] = max(w.widths[j], minNumericWidth)
		}
		if w.style == markdownGrid {
			w.widths[j] = max(w.widths[j], minMarkdownWidth)
		}
	}
	for k, s := range cells {
		j := k % ncols
		w.widths[j] = max(w.widths[j], textWidth(s))
	}
}

func (w *gridWriter) headerText(name string) string {
	if w.style == markdownGrid {
		return markdownText(name)
	}
	return terminalText(name)
}

// writeHeader prints the column names and the lines around them.
func (w *gridWriter) writeHeader() error {
	w.line = w.line[:0]
	if w.style == boxGrid {
		w.line = w.appendBorder(w.line, "┌", "┬", "┐")
	}
	w.line = append(w.line, w.bar()...)
	for j, f := range w.schema.Fields() {
		name := w.headerText(f.Name)
		pad := max(w.widths[j]-textWidth(name), 0)
		left := pad / 2 // a box table centers its names
		if w.style == markdownGrid {
			left = w.alignPad(j, pad)
		}
		w.line = w.appendCell(w.line, name, left, pad-left)
	}
	w.line = append(w.line, '\n')
	if w.style == boxGrid {
		w.line = w.appendBorder(w.line, "├", "┼", "┤")
	} else {
		w.line = w.appendDelimiterRow(w.line)
	}
	_, err := w.bw.Write(w.line)
	return err
}

// writeRow prints one row of cells.
func (w *gridWriter) writeRow(cells []string) error {
	w.line = append(w.line[:0], w.bar()...)
	for j, s := range cells {
		pad := max(w.widths[j]-textWidth(s), 0)
		left := w.alignPad(j, pad)
		w.line = w.appendCell(w.line, s, left, pad-left)
	}
	w.line = append(w.line, '\n')
	_, err := w.bw.Write(w.line)
	return err
}

// alignPad returns how many of pad spaces go before a value of column j.
func (w *gridWriter) alignPad(j, pad int) int {
	if w.right[j] {
		return pad
	}
	return 0
}

// appendCell appends " s │" with left spaces before s and right spaces after it.
func (w *gridWriter) appendCell(dst []byte, s string, left, right int) []byte {
	dst = appendSpaces(append(dst, ' '), left)
	dst = appendSpaces(append(dst, s...), right)
	dst = append(dst, ' ')
	return append(dst, w.bar()...)
}

// bar is the line between two cells.
func (w *gridWriter) bar() string {
	if w.style == markdownGrid {
		return "|"
	}
	return "│"
}

// appendBorder appends a horizontal box line across the columns.
func (w *gridWriter) appendBorder(dst []byte, left, mid, right string) []byte {
	dst = append(dst, left...)
	for j, width := range w.widths {
		if j > 0 {
			dst = append(dst, mid...)
		}
		dst = append(dst, strings.Repeat("─", width+2)...)
	}
	dst = append(dst, right...)
	return append(dst, '\n')
}

// appendDelimiterRow appends markdown's |---|---:| line.
func (w *gridWriter) appendDelimiterRow(dst []byte) []byte {
	dst = append(dst, '|')
	for j, width := range w.widths {
		dst = append(dst, strings.Repeat("-", width+1)...)
		if w.right[j] {
			dst = append(dst, ':')
		} else {
			dst = append(dst, '-')
		}
		dst = append(dst, '|')
	}
	return append(dst, '\n')
}

func (w *gridWriter) Flush() error { return w.bw.Flush() }

// Close prints the header if no row came, a box table's bottom border and row count, and
// flushes.
func (w *gridWriter) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	if w.widths == nil {
		w.setWidths(nil)
		if err := w.writeHeader(); err != nil {
			return err
		}
	}
	if w.style == boxGrid {
		w.line = w.appendBorder(w.line[:0], "└", "┴", "┘")
		w.line = append(w.line, '(')
		w.line = strconv.AppendInt(w.line, w.rows, 10)
		if w.rows == 1 {
			w.line = append(w.line, " row)\n"...)
		} else {
			w.line = append(w.line, " rows)\n"...)
		}
		if _, err := w.bw.Write(w.line); err != nil {
			return err
		}
	}
	return w.bw.Flush()
}

func appendSpaces(dst []byte, n int) []byte {
	for range n {
		dst = append(dst, ' ')
	}
	return dst
}

// terminalText makes s safe to print inside a terminal table: control characters become
// escapes such as \n and \x1b (so a value cannot break the table or drive the terminal), and
// invalid UTF-8 becomes U+FFFD.
func terminalText(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\x`)
			b.WriteByte("0123456789abcdef"[r>>4])
			b.WriteByte("0123456789abcdef"[r&0xf])
		default:
			b.WriteRune(r) // writes U+FFFD for invalid UTF-8
		}
	}
	return b.String()
}

// markdownText makes s safe inside a markdown table cell: | is escaped, line breaks become
// <br>, and other control characters are escaped as in terminalText.
func markdownText(s string) string {
	if !needsEscape(s) && !strings.Contains(s, "|") {
		return s
	}
	s = strings.ReplaceAll(s, "|", `\|`)
	s = strings.ReplaceAll(s, "\r\n", "<br>")
	s = strings.ReplaceAll(s, "\n", "<br>")
	return terminalText(s)
}

// needsEscape reports whether s holds a control character or invalid UTF-8.
func needsEscape(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			return true
		}
	}
	return !utf8.ValidString(s)
}

// textWidth returns how many terminal columns s takes: combining marks and format characters
// take none, East Asian wide characters and emoji take two.
func textWidth(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return n + wideTextWidth(s[i:])
		}
		n++
	}
	return n
}

func wideTextWidth(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		case isWideRune(r):
			n += 2
		default:
			n++
		}
	}
	return n
}

// isWideRune reports whether r is in a block that terminals draw two columns wide.
func isWideRune(r rune) bool {
	switch {
	case r < 0x1100:
		return false
	case r <= 0x115f, // Hangul Jamo
		r >= 0x2e80 && r <= 0xa4cf && r != 0x303f, // CJK ... Yi
		r >= 0xac00 && r <= 0xd7a3,                // Hangul syllables
		r >= 0xf900 && r <= 0xfaff,                // CJK compatibility ideographs
		r >= 0xfe30 && r <= 0xfe4f,                // CJK compatibility forms
		r >= 0xff00 && r <= 0xff60,                // fullwidth forms
		r >= 0xffe0 && r <= 0xffe6,
		r >= 0x1f300 && r <= 0x1f64f, // pictographs, emoticons
		r >= 0x1f900 && r <= 0x1f9ff,
		r >= 0x20000 && r <= 0x3fffd:
		return true
	}
	return false
}
