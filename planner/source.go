package planner

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/weirsql/weir/connector"
)

// openSource makes the source of a stream from its WITH options.
func openSource(st *Stream, pc *Context) (connector.Source, error) {
	opts, err := fileOptions(st)
	if err != nil {
		return nil, err
	}
	schema := st.PhysicalSchema()
	switch st.Options["connector"] {
	case "file":
		return connector.NewFileSource(opts, schema, pc.Env.Mem)
	case "stdin":
		if pc.Stdin == nil {
			return nil, fmt.Errorf("no standard input to read")
		}
		return connector.NewReaderSource("stdin", pc.Stdin, opts, schema, pc.Env.Mem)
	case "":
		return nil, fmt.Errorf("%w: streams fed through the Go API's appenders", ErrUnsupported)
	}
	return nil, fmt.Errorf("unknown connector %q", st.Options["connector"])
}

func fileOptions(st *Stream) (connector.FileOptions, error) {
	o := st.Options
	opts := connector.FileOptions{Path: o["path"], Format: strings.ToLower(o["format"])}
	if opts.Format == "" {
		opts.Format = formatOf(opts.Path)
	}
	switch opts.Format {
	case "csv", "tsv", "json":
	default:
		return opts, fmt.Errorf("unknown format %q (use csv, tsv or json)", opts.Format)
	}
	if h, ok := o["header"]; ok {
		v := strings.EqualFold(h, "true")
		if !v && !strings.EqualFold(h, "false") {
			return opts, fmt.Errorf("header must be true or false, got %q", h)
		}
		opts.Header = &v
	}
	if d, ok := o["delimiter"]; ok {
		r := []rune(d)
		if d == `\t` {
			r = []rune{'\t'}
		}
		if len(r) != 1 {
			return opts, fmt.Errorf("delimiter must be one character, got %q", d)
		}
		opts.Delimiter = r[0]
	}
	if n, ok := o["null"]; ok {
		opts.Null = []string{n}
	}
	switch oe := strings.ToLower(o["on_error"]); oe {
	case "", "skip":
		opts.OnError = connector.OnErrorSkip
	case "fail":
		opts.OnError = connector.OnErrorFail
	default:
		return opts, fmt.Errorf("on_error must be skip or fail, got %q", oe)
	}
	return opts, nil
}

// formatOf guesses a file's format from its extension.
func formatOf(path string) string {
	p := strings.TrimSuffix(strings.ToLower(path), ".gz")
	switch filepath.Ext(p) {
	case ".tsv", ".tab":
		return "tsv"
	case ".json", ".jsonl", ".ndjson":
		return "json"
	}
	return "csv"
}

func describeSource(st *Stream) string {
	o := st.Options
	switch o["connector"] {
	case "file":
		f := o["format"]
		if f == "" {
			f = formatOf(o["path"])
		}
		return fmt.Sprintf("file %s (%s)", o["path"], f)
	case "":
		return "appenders"
	}
	return o["connector"]
}

func formatMicros(us int64) string {
	return time.Duration(us * int64(time.Microsecond)).String()
}

// lazySource opens its connector when the query opens, not while it is planned, so that
// planning (and EXPLAIN) reads no file and reports SQL errors before I/O errors.
type lazySource struct {
	name   string
	schema *arrow.Schema
	open   func() (connector.Source, error)
	src    connector.Source
	empty  connector.SourceStats
}

var _ connector.Source = (*lazySource)(nil)

func (l *lazySource) Schema() *arrow.Schema { return l.schema }

func (l *lazySource) Open(ctx context.Context) error {
	src, err := l.open()
	if err != nil {
		return fmt.Errorf("stream %s: %w", l.name, err)
	}
	l.src = src
	return src.Open(ctx)
}

func (l *lazySource) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if l.src == nil {
		return nil, fmt.Errorf("stream %s is not open", l.name)
	}
	return l.src.Next(ctx)
}

func (l *lazySource) Close() error {
	if l.src == nil {
		return nil
	}
	return l.src.Close()
}

func (l *lazySource) Stats() *connector.SourceStats {
	if l.src == nil {
		return &l.empty
	}
	return l.src.Stats()
}
