package repl

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/guptarohit/asciigraph"

	"github.com/weirsql/weir/connector"
	"github.com/weirsql/weir/functions"
)

// Limits of a chart: how many series it draws (one per group key) and how tall it is.
const (
	maxSeries   = 6
	chartHeight = 12
)

var seriesColors = []asciigraph.AnsiColor{
	asciigraph.Blue, asciigraph.Red, asciigraph.Green, asciigraph.Goldenrod,
	asciigraph.Magenta, asciigraph.Cyan,
}

// chartWriter plots a numeric column of a result over window_start in the terminal, and
// redraws the plot in place after each firing. Each value of the result's text columns (the
// group keys) is a series of its own, up to maxSeries. Of a changelog (an op column) it
// keeps the newest value of each window and key.
type chartWriter struct {
	w      io.Writer
	name   string
	value  int // the charted column
	start  int // window_start, or -1: rows are plotted in arrival order
	op     int // the changelog's op column, or -1
	keys   []int
	width  func() int
	starts []int64       // the x axis: window starts in order of arrival
	at     map[int64]int // index of a window start in starts
	series map[string][]float64
	order  []string // series names as they first came
	drawn  int      // lines drawn last time, to move back over
	dirty  bool
	closed bool
}

// newChartWriter returns a chart of column name of schema; width gives the terminal's width.
func newChartWriter(w io.Writer, schema *arrow.Schema, name string,
	width func() int) (*chartWriter, error) {
	c := &chartWriter{w: w, name: name, value: -1, start: -1, op: -1, width: width,
		at: map[int64]int{}, series: map[string][]float64{}}
	var names []string
	for j, f := range schema.Fields() {
		names = append(names, f.Name)
		switch {
		case strings.EqualFold(f.Name, name):
			c.value = j
		case strings.EqualFold(f.Name, "window_start") && f.Type.ID() == arrow.TIMESTAMP:
			c.start = j
		case f.Name == "op" && j == 0:
			c.op = j
		case f.Type.ID() == arrow.STRING || f.Type.ID() == arrow.BOOL:
			c.keys = append(c.keys, j)
		}
	}
	if c.value < 0 {
		return nil, fmt.Errorf("no column %q to chart (the result has %s)", name,
			strings.Join(names, ", "))
	}
	if t := schema.Field(c.value).Type; !isNumeric(t) || t.ID() == arrow.DURATION {
		return nil, fmt.Errorf("column %q is %s, not a number to chart", name,
			functions.TypeName(t))
	}
	return c, nil
}

func (c *chartWriter) WriteBatch(b arrow.RecordBatch) error {
	if c.closed {
		return errWriterClosed
	}
	for i := range int(b.NumRows()) {
		if c.op >= 0 {
			if op, _ := connector.FormatValue(b.Column(c.op), i); op == "-U" || op == "-D" {
				continue
			}
		}
		x := int64(len(c.starts))
		if c.start >= 0 {
			ts, ok := b.Column(c.start).(*array.Timestamp)
			if !ok || ts.IsNull(i) {
				continue
			}
			x = int64(ts.Value(i))
		}
		c.add(x, c.key(b, i), floatAt(b.Column(c.value), i))
	}
	return nil
}

// key names the series of row i: its group keys.
func (c *chartWriter) key(b arrow.RecordBatch, i int) string {
	var parts []string
	for _, j := range c.keys {
		s, ok := connector.FormatValue(b.Column(j), i)
		if !ok {
			s = "NULL"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// add sets the value of series key at window start x.
func (c *chartWriter) add(x int64, key string, v float64) {
	ix, ok := c.at[x]
	if !ok {
		ix = len(c.starts)
		c.at[x] = ix
		c.starts = append(c.starts, x)
	}
	s, ok := c.series[key]
	if !ok {
		if len(c.order) == maxSeries {
			return
		}
		c.order = append(c.order, key)
	}
	for len(s) <= ix {
		s = append(s, math.NaN())
	}
	s[ix] = v
	c.series[key] = s
	c.dirty = true
}

// floatAt returns row i of a numeric column as a float, NaN for NULL.
func floatAt(col arrow.Array, i int) float64 {
	if col.IsNull(i) {
		return math.NaN()
	}
	switch a := col.(type) {
	case *array.Int64:
		return float64(a.Value(i))
	case *array.Float64:
		return a.Value(i)
	case *array.Int32:
		return float64(a.Value(i))
	case *array.Float32:
		return float64(a.Value(i))
	}
	return math.NaN()
}

// Flush redraws the chart over the last one when rows came since.
func (c *chartWriter) Flush() error {
	if !c.dirty {
		return nil
	}
	c.dirty = false
	plot := c.plot()
	if plot == "" {
		return nil
	}
	var b strings.Builder
	if c.drawn > 0 {
		fmt.Fprintf(&b, "\x1b[%dA\x1b[J", c.drawn)
	}
	b.WriteString(plot)
	b.WriteString("\n")
	c.drawn = strings.Count(plot, "\n") + 1
	_, err := io.WriteString(c.w, b.String())
	return err
}

// plot draws the newest points that fit the terminal's width.
func (c *chartWriter) plot() string {
	n, first := len(c.starts), c.first()
	var data [][]float64
	finite := false
	for _, k := range c.order {
		s := c.series[k]
		row := make([]float64, n-first)
		for i := range row {
			row[i] = math.NaN()
			if first+i < len(s) {
				row[i] = s[first+i]
				finite = finite || !math.IsNaN(row[i]) && !math.IsInf(row[i], 0)
			}
		}
		data = append(data, row)
	}
	if !finite {
		return ""
	}

	opts := []asciigraph.Option{asciigraph.Height(chartHeight), asciigraph.Caption(c.caption())}
	if len(c.order) > 1 || c.order[0] != "" {
		opts = append(opts, asciigraph.SeriesColors(seriesColors[:len(c.order)]...),
			asciigraph.SeriesLegends(c.order...))
	}
	if c.start >= 0 && n-first > 1 {
		opts = append(opts, asciigraph.XAxisRange(float64(c.starts[first]),
			float64(c.starts[n-1])), asciigraph.XAxisTickCount(4),
			asciigraph.XAxisValueFormatter(func(v float64) string {
				return time.UnixMicro(int64(v)).UTC().Format("15:04:05.999999")
			}))
	}
	return asciigraph.PlotMany(data, opts...)
}

// first is the index of the first window start that fits the terminal's width.
func (c *chartWriter) first() int {
	return max(len(c.starts)-max(c.width()-14, 10), 0)
}

// caption says what is charted over which windows.
func (c *chartWriter) caption() string {
	if c.start < 0 {
		return fmt.Sprintf("%s by row (%s)", c.name, plural(int64(len(c.starts)), "row"))
	}
	first := c.first()
	const layout = "2006-01-02 15:04:05.999999"
	from := time.UnixMicro(c.starts[first]).UTC().Format(layout)
	to := time.UnixMicro(c.starts[len(c.starts)-1]).UTC().Format(layout)
	return fmt.Sprintf("%s by window_start, %s to %s UTC (%s)", c.name, from, to,
		plural(int64(len(c.starts)-first), "window"))
}

// Close draws what is left to draw.
func (c *chartWriter) Close() error {
	if c.closed {
		return nil
	}
	c.closed = true
	if len(c.starts) == 0 {
		_, err := fmt.Fprintf(c.w, "(no rows to chart)\n")
		return err
	}
	return c.Flush()
}
