package functions

import (
	"slices"
	"strings"
)

// docs/functions.md is generated from the registry; after changing an entry run
//
//	go generate ./functions
//
// and TestFunctionsDoc fails until it is up to date.
//go:generate go test -run TestFunctionsDoc -update .

// Markdown writes entries as the Functions page: an introduction, then one table each for
// the aggregates, the analytic functions and the scalar functions, a row per name with its
// signature, null rule and summary.
func Markdown(entries []Entry) string {
	var b strings.Builder
	b.WriteString(docsIntro)
	sections := []struct{ kind, title, intro string }{
		{"aggregate", "Aggregate functions", aggregatesIntro},
		{"analytic", "Analytic functions", analyticsIntro},
		{"scalar", "Scalar functions", scalarsIntro},
	}
	for _, e := range entries { // a kind added later gets a section of its own
		if !slices.ContainsFunc(sections, func(s struct{ kind, title, intro string }) bool {
			return s.kind == e.Kind
		}) {
			sections = append(sections, struct{ kind, title, intro string }{e.Kind,
				strings.ToUpper(e.Kind[:1]) + e.Kind[1:] + " functions", ""})
		}
	}
	for _, sec := range sections {
		b.WriteString("\n## " + sec.title + "\n\n")
		if sec.intro != "" {
			b.WriteString(sec.intro + "\n\n")
		}
		b.WriteString("| name | arguments -> result | NULL rule | summary |\n")
		b.WriteString("|---|---|---|---|\n")
		for _, e := range entries {
			if e.Kind == sec.kind {
				b.WriteString("| `" + e.Name + "` | " + cell(e.Args) + " | " +
					cell(e.NullRule) + " | " + cell(e.Summary) + " |\n")
			}
		}
	}
	return b.String()
}

// cell escapes a table cell: a pipe would end it.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}

const docsIntro = `# Functions

<!-- Generated from the function registry (functions.Markdown) by ` + "`go generate ./functions`" +
	`; do not edit. -->

Every function weir knows, as ` + "`SHOW FUNCTIONS`" + ` lists it. Names are case-insensitive.
Types: BOOLEAN, BIGINT, DOUBLE, VARCHAR, TIMESTAMP (microseconds, UTC), INTERVAL; a NULL literal
fits any argument. NaN sorts above every number: max over a NaN is NaN, min ignores it unless
every value is NaN, and percentiles rank it last.
`

const aggregatesIntro = "Aggregates skip NULLs (count(*) does not) and accept " +
	"`FILTER (WHERE ...)` and, with one argument, `DISTINCT`." + `

The percentile sketch (p50 ... p999, approx_median, percentile, approx_quantile) is a
DDSketch (DataDog/sketches-go) with a relative accuracy of 1%: the estimate of the value at
rank floor(q·(n-1)) lies within 1% of that value, whatever the distribution, and p0 and p100
are the exact minimum and maximum. Its bins are 2% wide and cost 4 bytes each: about 100
bytes for a group of a few values, at most 2 KB per sign. A window whose values span more
than a factor of about 25,000 folds its lowest values into one bin, so the guarantee then
holds for the values within that factor of the largest. Sketches merge exactly.

median, percentile_cont and percentile_disc are exact: they keep every value of the window.
approx_count_distinct is a HyperLogLog of precision 14 (axiomhq/hyperloglog). first and last
go by event time in a windowed query, by arrival order otherwise.`

// analyticsIntro is written with ~ for the backquote that marks code.
var analyticsIntro = strings.ReplaceAll(`
Analytic functions give every row a value from the rows of its partition:
~f(...) OVER ([PARTITION BY k, ...] [ORDER BY t] [frame])~. The frame functions (avg, sum,
count, min, max, stddev, zscore, rate) take a frame: ~ROWS n PRECEDING~,
~ROWS BETWEEN n PRECEDING AND m PRECEDING~ (or ~AND CURRENT ROW~),
~RANGE INTERVAL '5' MINUTE PRECEDING~ (or ~RANGE 5m PRECEDING~: the rows whose ORDER BY time
is at most that much before the row's) and ~UNBOUNDED PRECEDING~; without one, the frame is
every row up to the current one. They skip NULLs; count(*) and rate() count rows. lag, lead,
row_number, rank and ema take no frame. Their results can be filtered with QUALIFY or in an
outer query.

Over a stream, partitions run on across batches. A windowed query's rows come as their
windows fire, in the order of window_end: the rows of one window_end come together, and for
TUMBLE and HOP those of one window_start too; SESSION's starts do not ascend across keys, so
ORDER BY window_start over sessions needs PARTITION BY the keys. A stream's raw events are
put in the order of the time their ORDER BY names as the watermark passes them: an event
waits until the watermark reaches its time, and one older than the watermark when it arrives
is late (dropped, counted and written to the late file, as for windows). ORDER BY keys after
the time order the rows of one time where those come together (events, window rows by a
bound that comes together), and are refused elsewhere. A RANGE frame, or the default one,
holds the current row's peers (the rows of its partition with its ORDER BY value), as in
SQL, where they come together: an event then waits until the watermark has passed its time,
since more events of that time may come. A partition of a RANGE frame over events is dropped
once it is older than any later frame; the other partitions stay while the query runs, and
count against its memory limit.
~PARTITION BY window_start~ (TUMBLE and HOP) or ~PARTITION BY window_end~ (any window) takes
each window's rows as a whole, sorts them by ORDER BY, and gives a RANGE or default frame
the current row's peers; such functions and ones that run across windows may share a query.
lead over a stream holds a row back until the row n after it in its partition arrives, or
the input ends (then it gets the default): each partition keeps its last n rows, and rows
come out in the order they are completed, by the arrival of the row that
completes them.`[1:], "~", "`")

const scalarsIntro = `Unless its NULL rule says otherwise a scalar function is NULL where an
argument is NULL. Text positions count characters from 1; regular expressions use RE2 syntax.
Time functions work in UTC. The C formats of strptime and strftime: ` + "`%Y %m %d %H %M %S`" + `,
` + "`%f`" + ` (fraction), ` + "`%z`" + ` (offset), ` + "`%b %B`" + ` (month names), ` +
	"`%a %A`" + ` (weekday names), ` + "`%j %y %p %I %e %s %T %D %F %R %%`" + `.`
