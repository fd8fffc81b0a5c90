package repl

import (
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// minNumberWidth is the narrowest a numeric column is drawn, so that counts and sums that
// grow after the first firing still fit.
const minNumberWidth = 8

// minClipWidth is the narrowest a text column is clipped to when a table must fit the
// terminal.
const minClipWidth = 10

// grid draws a box table one row at a time. Its column widths are fixed by the first rows it
// sees (setWidths), so that nothing printed is redrawn; a later value wider than its column
// widens only its own row.
type grid struct {
	w      io.Writer
	names  []string
	right  []bool // right-align column j (numbers)
	widths []int
	// labelAt is the column over which a label is set in a border.
	labelAt int
	// fit is the width the table must fit in (0: any). Text columns are narrowed to fit,
	// down to minClipWidth, and their values clipped with an ellipsis.
	fit     int
	clipped []bool
	fixed   []bool // column j is never narrowed (timestamps); nil for none
	line    []byte
}

// setWidths fixes each column as wide as the widest of its name and its cells in rows.
func (g *grid) setWidths(rows [][]string) {
	g.widths = make([]int, len(g.names))
	for j, n := range g.names {
		g.widths[j] = textWidth(n)
		if g.right[j] {
			g.widths[j] = max(g.widths[j], minNumberWidth)
		}
	}
	for _, r := range rows {
		for j, s := range r {
			g.widths[j] = max(g.widths[j], textWidth(s))
		}
	}
	g.narrow()
}

// narrow narrows the widest text columns, one column at a time, until the table fits g.fit
// or none can be narrowed further.
func (g *grid) narrow() {
	g.clipped = make([]bool, len(g.widths))
	if g.fit <= 0 {
		return
	}
	total := 1 // the left border
	for _, w := range g.widths {
		total += w + 3
	}
	for total > g.fit {
		widest := -1
		for j, w := range g.widths {
			if g.right[j] || g.fixed != nil && g.fixed[j] || w <= minClipWidth {
				continue
			}
			if widest < 0 || w > g.widths[widest] {
				widest = j
			}
		}
		if widest < 0 {
			return
		}
		g.widths[widest]--
		g.clipped[widest] = true
		total--
	}
}

// clipTo cuts s to width columns, ending it with an ellipsis, when it is wider.
func clipTo(s string, width int) string {
	if textWidth(s) <= width {
		return s
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		w := textWidth(string(r))
		if n+w > width-1 {
			break
		}
		b.WriteRune(r)
		n += w
	}
	b.WriteString("…")
	return b.String()
}

// header prints the top border, with label set in it when label is not empty, the column
// names, and the line under them.
func (g *grid) header(label string) error {
	g.line = g.border(g.line[:0], "┌", "┬", "┐", label)
	g.line = append(g.line, "│"...)
	for j, n := range g.names {
		if g.clipped[j] {
			n = clipTo(n, g.widths[j])
		}
		pad := max(g.widths[j]-textWidth(n), 0)
		g.line = g.cell(g.line, n, pad/2, pad-pad/2)
	}
	g.line = append(g.line, '\n')
	g.line = g.border(g.line, "├", "┼", "┤", "")
	_, err := g.w.Write(g.line)
	return err
}

// row prints one row of cells.
func (g *grid) row(cells []string) error {
	g.line = append(g.line[:0], "│"...)
	for j, s := range cells {
		if g.clipped[j] {
			s = clipTo(s, g.widths[j])
		}
		pad := max(g.widths[j]-textWidth(s), 0)
		if g.right[j] {
			g.line = g.cell(g.line, s, pad, 0)
		} else {
			g.line = g.cell(g.line, s, 0, pad)
		}
	}
	g.line = append(g.line, '\n')
	_, err := g.w.Write(g.line)
	return err
}

// divider prints a line across the table with label set in it.
func (g *grid) divider(label string) error {
	g.line = g.border(g.line[:0], "├", "┼", "┤", label)
	_, err := g.w.Write(g.line)
	return err
}

// footer prints the bottom border and the row count.
func (g *grid) footer(rows int64) error {
	g.line = g.border(g.line[:0], "└", "┴", "┘", "")
	g.line = append(g.line, '(')
	g.line = strconv.AppendInt(g.line, rows, 10)
	if rows == 1 {
		g.line = append(g.line, " row)\n"...)
	} else {
		g.line = append(g.line, " rows)\n"...)
	}
	_, err := g.w.Write(g.line)
	return err
}

// cell appends " s │" with left spaces before s and right spaces after it.
func (g *grid) cell(dst []byte, s string, left, right int) []byte {
	dst = append(dst, strings.Repeat(" ", left+1)...)
	dst = append(dst, s...)
	dst = append(dst, strings.Repeat(" ", right+1)...)
	return append(dst, "│"...)
}

// border appends a horizontal line across the columns, with label set in it over column
// g.labelAt when label is not empty and fits there.
func (g *grid) border(dst []byte, left, mid, right, label string) []byte {
	line := []rune(left)
	at := -1
	for j, w := range g.widths {
		if j > 0 {
			line = append(line, []rune(mid)...)
		}
		if j == g.labelAt {
			at = len(line) + 1
		}
		line = append(line, []rune(strings.Repeat("─", w+2))...)
	}
	line = append(line, []rune(right)...)
	if label != "" && at > 0 && textWidth(label)+2 <= g.widths[g.labelAt] {
		copy(line[at:], []rune(" "+label+" "))
	}
	dst = append(dst, string(line)...)
	return append(dst, '\n')
}

// printGrid prints rows of text under names as a box table, with the row count.
func printGrid(w io.Writer, names []string, right []bool, rows [][]string) error {
	if right == nil {
		right = make([]bool, len(names))
	}
	g := &grid{w: w, names: names, right: right}
	g.setWidths(rows)
	if err := g.header(""); err != nil {
		return err
	}
	for _, r := range rows {
		if err := g.row(r); err != nil {
			return err
		}
	}
	return g.footer(int64(len(rows)))
}

// safeText makes s safe to print in a terminal: control characters become escapes such as
// \n and \x1b, so that a value can neither break a table nor drive the terminal.
func safeText(s string) string {
	clean := utf8.ValidString(s)
	for i := 0; clean && i < len(s); i++ {
		clean = s[i] >= 0x20 && s[i] != 0x7f
	}
	if clean {
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
			b.WriteString(strconv.FormatInt(int64(r)+0x100, 16)[1:])
		default:
			b.WriteRune(r) // U+FFFD for invalid UTF-8
		}
	}
	return b.String()
}

// textWidth is how many terminal columns s takes: combining marks take none, East Asian wide
// characters and emoji take two.
func textWidth(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			n++
		case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		case isWide(r):
			n += 2
		default:
			n++
		}
	}
	return n
}

// isWide reports whether terminals draw r two columns wide.
func isWide(r rune) bool {
	return r >= 0x1100 && (r <= 0x115f ||
		r >= 0x2e80 && r <= 0xa4cf && r != 0x303f ||
		r >= 0xac00 && r <= 0xd7a3 ||
		r >= 0xf900 && r <= 0xfaff ||
		r >= 0xfe30 && r <= 0xfe4f ||
		r >= 0xff00 && r <= 0xff60 ||
		r >= 0xffe0 && r <= 0xffe6 ||
		r >= 0x1f300 && r <= 0x1f64f ||
		r >= 0x1f900 && r <= 0x1f9ff ||
		r >= 0x20000 && r <= 0x3fffd)
}
