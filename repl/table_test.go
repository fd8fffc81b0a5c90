package repl

import (
	"bytes"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"
)

var windowSchema = arrow.NewSchema([]arrow.Field{
	{Name: "window_start", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
	{Name: "window_end", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
	{Name: "k", Type: arrow.BinaryTypes.String},
	{Name: "avg", Type: arrow.PrimitiveTypes.Float64},
}, nil)

// windowRow is one row of windowSchema; a zero start is NULL.
type windowRow struct {
	start, end string
	k          string
	avg        float64
}

// windowBatch builds a batch of windowSchema.
func windowBatch(t *testing.T, mem memory.Allocator, rows ...windowRow) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, windowSchema)
	defer b.Release()
	for _, r := range rows {
		for j, s := range []string{r.start, r.end} {
			tb := b.Field(j).(*array.TimestampBuilder)
			if s == "" {
				tb.AppendNull()
				continue
			}
			ts, err := time.Parse(time.RFC3339Nano, s)
			require.NoError(t, err)
			tb.Append(arrow.Timestamp(ts.UnixMicro()))
		}
		b.Field(2).(*array.StringBuilder).Append(r.k)
		b.Field(3).(*array.Float64Builder).Append(r.avg)
	}
	return b.NewRecordBatch()
}

// writeTable prints batches of rows through a tableWriter.
func writeTable(t *testing.T, batches ...[]windowRow) string {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	var out bytes.Buffer
	w := newTableWriter(&out, windowSchema)
	for _, rows := range batches {
		b := windowBatch(t, mem, rows...)
		require.NoError(t, w.WriteBatch(b))
		b.Release()
		require.NoError(t, w.Flush())
	}
	require.NoError(t, w.Close())
	require.NoError(t, w.Close(), "Close is idempotent")
	return out.String()
}

func TestTableShortTimestamps(t *testing.T) {
	out := writeTable(t,
		[]windowRow{
			{"2024-03-01T23:58:00Z", "2024-03-01T23:59:00Z", "a", 1.5},
			{"2024-03-01T23:59:00Z", "2024-03-02T00:00:00Z", "b\nc", 10},
		},
		[]windowRow{
			{"2024-03-02T00:00:00Z", "2024-03-02T00:01:00Z", "a", 2},
			{"2024-03-02T00:00:00.25Z", "2024-03-03T00:01:00Z", "a", 123456789},
		})
	require.Equal(t, `┌─ 2024-03-01 ─┬────────────┬──────┬──────────┐
│ window_start │ window_end │  k   │   avg    │
├──────────────┼────────────┼──────┼──────────┤
│ 23:58:00     │ 23:59:00   │ a    │      1.5 │
│ 23:59:00     │ 24:00:00   │ b\nc │       10 │
├─ 2024-03-02 ─┼────────────┼──────┼──────────┤
│ 00:00:00     │ 00:01:00   │ a    │        2 │
│ 00:00:00.25  │ 2024-03-03T00:01:00Z │ a    │ 123456789 │
└──────────────┴────────────┴──────┴──────────┘
(4 rows)
`, out)
}

func TestTableFullTimestampsWhenDatesDiffer(t *testing.T) {
	out := writeTable(t, []windowRow{
		{"2024-03-01T10:00:00Z", "2024-03-01T11:00:00Z", "a", 1},
		{"2024-03-02T10:00:00Z", "", "a", 1},
	})
	require.Equal(t, `┌──────────────────────┬──────────────────────┬───┬──────────┐
│     window_start     │      window_end      │ k │   avg    │
├──────────────────────┼──────────────────────┼───┼──────────┤
│ 2024-03-01T10:00:00Z │ 2024-03-01T11:00:00Z │ a │        1 │
│ 2024-03-02T10:00:00Z │ NULL                 │ a │        1 │
└──────────────────────┴──────────────────────┴───┴──────────┘
(2 rows)
`, out)
}

func TestTableFitsTheTerminal(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	var out bytes.Buffer
	w := newTableWriter(&out, windowSchema)
	w.g.fit = 50
	b := windowBatch(t, mem, windowRow{"2024-03-01T10:00:00Z", "2024-03-01T11:00:00Z",
		"a value far too long for the terminal", 1})
	defer b.Release()
	require.NoError(t, w.WriteBatch(b))
	require.NoError(t, w.Close())
	require.Equal(t, `┌─ 2024-03-01 ─┬────────────┬────────────┬──────────┐
│ window_start │ window_end │     k      │   avg    │
├──────────────┼────────────┼────────────┼──────────┤
│ 10:00:00     │ 11:00:00   │ a value f… │        1 │
└──────────────┴────────────┴────────────┴──────────┘
(1 row)
`, out.String())
}

func TestTableWithoutRows(t *testing.T) {
	require.Equal(t, `┌──────────────┬────────────┬───┬──────────┐
│ window_start │ window_end │ k │   avg    │
├──────────────┼────────────┼───┼──────────┤
└──────────────┴────────────┴───┴──────────┘
(0 rows)
`, writeTable(t))
}

func TestCaret(t *testing.T) {
	require.Equal(t, "LINE 1: SELECT fair\n               ^\n",
		caret("LINE 1: ", "SELECT fair", 8))
	require.Equal(t, "> 日本 x\n       ^\n", caret("> ", "日本 x", 4), "wide characters")
	require.Equal(t, "> ab\n    ^\n", caret("> ", "ab", 9), "past the end")
}

func TestSafeTextAndWidth(t *testing.T) {
	require.Equal(t, `a\tb\x1b[0m\n`, safeText("a\tb\x1b[0m\n"))
	require.Equal(t, "plain", safeText("plain"))
	require.Equal(t, 4, textWidth("日本"))
	require.Equal(t, 1, textWidth("e\u0301"))
}
