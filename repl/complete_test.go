package repl

import (
	"bytes"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"
)

func TestComplete(t *testing.T) {
	s := newSession(t)
	c := &completer{db: s.db}
	complete := func(line string) []string {
		got, n := c.Do([]rune(line), len([]rune(line)))
		var out []string
		for _, g := range got {
			out = append(out, line[len(line)-n:]+string(g))
		}
		sort.Strings(out)
		return out
	}

	require.Subset(t, complete("SE"), []string{"SECOND", "SELECT", "SESSION", "SET"})
	require.Subset(t, complete("se"), []string{"second", "select", "session", "set"},
		"keywords take the case being typed")
	require.NotContains(t, complete("se"), "SEcond", "a function named as a keyword")
	require.Equal(t, []string{"host"}, complete("SELECT hos"), "column names")
	require.Equal(t, []string{"bytes"}, complete("SELECT r.by"), "after a qualifier")
	require.Contains(t, complete("SELECT window_"), "window_start")
	require.Contains(t, complete("SELECT coun"), "count", "function names")
	require.Contains(t, complete("SELECT * FROM r"), "r", "stream names")
	require.Contains(t, complete("SELECT * FROM nexmark.bi"), "bid", "built-in streams")
	require.Equal(t, []string{".schema", ".stats", ".streams"}, complete(".s"))
	require.Equal(t, []string{`\d`, `\df`, `\dt`}, complete(`\d`))
	require.Empty(t, complete("SELECT "))
}

func TestChart(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	var out bytes.Buffer
	c, err := newChartWriter(&out, windowSchema, "AVG", func() int { return 60 })
	require.NoError(t, err)
	for i, rows := range [][]windowRow{
		{{"2024-03-01T00:00:00Z", "2024-03-01T00:01:00Z", "a", 1},
			{"2024-03-01T00:00:00Z", "2024-03-01T00:01:00Z", "b", 4}},
		{{"2024-03-01T00:01:00Z", "2024-03-01T00:02:00Z", "a", 3},
			{"2024-03-01T00:02:00Z", "2024-03-01T00:03:00Z", "a", 2}},
	} {
		b := windowBatch(t, mem, rows...)
		require.NoError(t, c.WriteBatch(b))
		b.Release()
		require.NoError(t, c.Flush())
		if i == 0 {
			require.NotContains(t, out.String(), "A\x1b[J", "nothing to draw over yet")
		}
	}
	require.NoError(t, c.Close())
	text := out.String()
	require.Contains(t, text, "A\x1b[J", "the second firing redraws over the first")
	last := text[strings.LastIndex(text, "\x1b[J")+len("\x1b[J"):]
	require.Contains(t, last, "AVG by window_start, 2024-03-01 00:00:00 to 2024-03-01 00:02:00"+
		" UTC (3 windows)")
	require.Contains(t, last, "00:00:00")
	require.Contains(t, last, "■")
	require.Contains(t, last, " a")

	_, err = newChartWriter(&out, windowSchema, "nope", func() int { return 60 })
	require.EqualError(t, err,
		`no column "nope" to chart (the result has window_start, window_end, k, avg)`)
	_, err = newChartWriter(&out, windowSchema, "k", func() int { return 60 })
	require.EqualError(t, err, `column "k" is VARCHAR, not a number to chart`)
}
