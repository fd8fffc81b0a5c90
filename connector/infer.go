package connector

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/weirsql/weir/functions"
)

// InferRows is how many rows schema inference samples, as DuckDB does.
const InferRows = 20_480

// InferSchema reads the first InferRows rows of the file at opts.Path and returns a schema
// that fits them: the columns of a CSV or TSV header (column1, column2, ... without one), or
// the keys of JSON lines in the order they first appear, nested objects flattened to "a.b".
// Each column gets the narrowest type that every sampled value that is not NULL fits, tried
// in the order BIGINT, DOUBLE, BOOLEAN, TIMESTAMP, else VARCHAR; a column of NULLs only is
// VARCHAR. In text formats BOOLEAN is inferred from true and false only (in any case), though
// a BOOLEAN column reads t, f, yes, no, 1 and 0 as well. The rules for NULL, quotes and header
// names are those the sources read by, so that a source reads the file with the schema
// inferred from it.
func InferSchema(opts FileOptions) (*arrow.Schema, error) {
	if opts.Path == "" || opts.Path == "-" {
		return nil, errors.New("infer schema: no path given (stdin is read with InferReader)")
	}
	paths, err := expandPath(opts.Path)
	if err != nil {
		return nil, err
	}
	format, err := fileFormat(opts)
	if err != nil {
		return nil, err
	}
	if format == "parquet" || format == "arrow" {
		return inferBinarySchema(paths[0], format)
	}
	r, closer, err := openInput(paths[0], opts, nil)
	if err != nil {
		return nil, err
	}
	defer closer.Close()
	return inferSchema(paths[0], r, opts, false)
}

// InferReader infers a schema as InferSchema does from the input r, such as stdin, sampling
// the rows that arrive before its first pause (at least one row, at most InferRows), so that
// a stream piped in is not held up. It returns the schema and a reader that yields the whole
// input again from its start, to give to NewReaderSource with the same opts; name stands for
// r in errors.
func InferReader(
	name string, r io.Reader, opts FileOptions,
) (*arrow.Schema, io.Reader, error) {
	if opts.Format == "" {
		opts.Format = "csv"
	}
	rec := &recordingReader{r: r}
	replay := func() io.Reader { return io.MultiReader(bytes.NewReader(rec.buf), r) }
	kind, err := compressionOf(opts, "")
	if err != nil {
		return nil, replay(), err
	}
	in, _, err := decompress(name, rec, kind)
	if err != nil {
		return nil, replay(), err
	}
	schema, err := inferSchema(name, in, opts, true)
	return schema, replay(), err
}

// recordingReader keeps a copy of what it reads.
type recordingReader struct {
	r   io.Reader
	buf []byte
}

func (r *recordingReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.buf = append(r.buf, p[:n]...)
	return n, err
}

func inferSchema(name string, r io.Reader, opts FileOptions, untilPause bool) (
	*arrow.Schema, error,
) {
	format, err := formatOf(opts)
	if err != nil {
		return nil, err
	}
	in := &inference{name: name, nulls: opts.Null, untilPause: untilPause}
	in.lines.reset(r)
	switch format {
	case "json":
		err = in.json()
	case "regex":
		err = in.regex(opts.Pattern)
	default:
		err = in.csv(opts, format)
	}
	if err != nil {
		return nil, err
	}
	if len(in.cols) == 0 {
		return nil, fmt.Errorf("%s: no columns to infer a schema from", name)
	}

	fields := make([]arrow.Field, len(in.cols))
	for i, g := range in.cols {
		fields[i] = arrow.Field{Name: g.name, Type: g.typ(), Nullable: true}
	}
	return arrow.NewSchema(fields, nil), nil
}

// inference gathers the columns of a sample and what their values fit.
type inference struct {
	name       string
	nulls      []string
	untilPause bool
	lines      lineReader
	cols       []*guess
	byName     map[string]*guess // by ASCII lower-case name (JSON)
	rows       int
}

// more reports whether to sample another row.
func (in *inference) more() bool {
	if in.rows >= InferRows {
		return false
	}
	return !in.untilPause || in.rows == 0 || !in.lines.paused()
}

func (in *inference) isNull(v []byte) bool {
	for _, n := range in.nulls {
		if string(v) == n {
			return true
		}
	}
	return false
}

func (in *inference) csv(opts FileOptions, format string) error {
	f, err := newCSVFormat(opts, format)
	if err != nil {
		return err
	}
	if f.header {
		_, problem, err := f.record(&in.lines)
		if err == io.EOF {
			return nil
		}
		if err == errLineTooLong {
			problem = lineTooLong()
		} else if err != nil {
			return fmt.Errorf("%s: %w", in.name, err)
		}
		if problem != "" {
			return fmt.Errorf("%s:%d: header: %s", in.name, in.lines.line, problem)
		}
		for _, n := range headerNames(f.fields()) {
			in.cols = append(in.cols, &guess{name: n})
		}
	}

	for in.more() {
		_, problem, err := f.record(&in.lines)
		if err == io.EOF {
			return nil
		}
		if err == errLineTooLong {
			continue // skipped by the source too
		}
		if err != nil {
			return fmt.Errorf("%s: %w", in.name, err)
		}
		if problem != "" || f.header && len(f.ends) != len(in.cols) {
			continue // malformed: the source skips it
		}
		in.rows++
		for j, text := range f.fields() {
			quoted := f.isQuoted(j)
			if j >= len(in.cols) {
				in.cols = append(in.cols, &guess{name: fmt.Sprintf("column%d", j+1)})
			}
			if len(text) == 0 && !quoted || in.isNull(text) {
				continue
			}
			in.cols[j].text(text)
		}
	}
	return nil
}

func (in *inference) json() error {
	in.byName = make(map[string]*guess)
	var sc jsonScanner
	var low, buf []byte
	sc.visit = func(path []byte, v jsonValue) {
		if v.kind == '{' {
			return // its members are columns of their own
		}
		low = appendLower(low[:0], path)
		g := in.byName[string(low)]
		if g == nil {
			g = &guess{name: string(path)}
			in.byName[string(low)] = g
			in.cols = append(in.cols, g)
		}
		buf = buf[:0]
		g.json(&v, &buf, in)
	}

	for in.more() {
		line, err := nextObjectLine(&in.lines)
		if err == io.EOF {
			return nil
		}
		if err == errLineTooLong {
			continue // skipped by the source too
		}
		if err != nil {
			return fmt.Errorf("%s: %w", in.name, err)
		}
		if sc.scanLine(line) == "" {
			in.rows++
		}
	}
	return nil
}

// guess is what the sampled values of one column fit.
type guess struct {
	name                               string
	seen                               bool
	notInt, notFloat, notBool, notTime bool
}

func (g *guess) typ() arrow.DataType {
	switch {
	case !g.seen:
		return functions.Varchar
	case !g.notInt:
		return functions.Bigint
	case !g.notFloat:
		return functions.Double
	case !g.notBool:
		return functions.Boolean
	case !g.notTime:
		return functions.Timestamp
	}
	return functions.Varchar
}

func (g *guess) none() bool { return g.notInt && g.notFloat && g.notBool && g.notTime }

// text narrows the guess by a field of a text format.
func (g *guess) text(v []byte) {
	g.seen = true
	if g.none() {
		return
	}
	v = trimSpaces(v)
	if !g.notInt {
		_, ok := parseInt(v)
		g.notInt = !ok
	}
	if !g.notFloat {
		_, ok := parseFloat(v)
		g.notFloat = !ok
	}
	if !g.notBool {
		g.notBool = !strings.EqualFold(string(v), "true") && !strings.EqualFold(string(v), "false")
	}
	if !g.notTime {
		_, ok := functions.ParseTimestamp(string(v))
		g.notTime = !ok
	}
}

// json narrows the guess by a JSON value, as the JSON source would convert it.
func (g *guess) json(v *jsonValue, buf *[]byte, in *inference) {
	switch v.kind {
	case 'n':
		return
	case '"':
		text, grown, ok := v.text(*buf)
		*buf = grown
		if ok && in.isNull(text) {
			return
		}
		g.seen = true
		g.notInt, g.notFloat, g.notBool = true, true, true
		if !g.notTime {
			_, ok2 := functions.ParseTimestamp(string(trimSpaces(text)))
			g.notTime = !ok || !ok2
		}
	case '0':
		g.seen = true
		g.notBool, g.notTime = true, true
		if !g.notInt {
			_, ok := parseInt(v.raw)
			g.notInt = v.frac || !ok
		}
		if !g.notFloat {
			_, ok := parseFloat(v.raw)
			g.notFloat = !ok
		}
	case 't', 'f':
		g.seen = true
		g.notInt, g.notFloat, g.notTime = true, true, true
	default: // arrays, and objects that sources read as JSON text
		g.seen = true
		g.notInt, g.notFloat, g.notBool, g.notTime = true, true, true, true
	}
}
