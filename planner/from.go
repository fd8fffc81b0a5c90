package planner

import (
	"path/filepath"
	"strings"

	"github.com/weirsql/weir/connector"
	"github.com/weirsql/weir/functions"
	"github.com/weirsql/weir/parser"
)

// fileFunctions are the table functions that read a file, DuckDB style, with the format each
// implies.
var fileFunctions = map[string]string{
	"read_csv": "csv", "read_csv_auto": "csv", "read_tsv": "tsv", "read_json": "json",
	"read_ndjson": "json", "read_json_auto": "json", "read_parquet": "parquet",
	"read_arrow": "arrow",
}

// namedOptions maps the named arguments users bring from DuckDB to the file connector's
// options.
var namedOptions = map[string]string{
	"header": "header", "delim": "delimiter", "delimiter": "delimiter", "sep": "delimiter",
	"null": "null", "nullstr": "null", "on_error": "on_error", "timezone": "timezone",
	"filename": "filename", "compression": "compression", "format": "format",
	"pattern": "pattern",
}

// planFile plans `FROM 'file.csv'` and `FROM read_csv('file.csv', header => true)`: a stream
// of the file's columns, their types inferred from a sample.
func planFile(src parser.Expr, alias string, pc *Context, p *Plan) (*relation, error) {
	opts := map[string]string{"connector": "file"}
	var path *parser.Literal
	switch e := src.(type) {
	case *parser.Literal:
		path = e
	case *parser.Call:
		format := fileFunctions[strings.ToLower(e.Name.Name)]
		if len(e.Args) != 1 {
			return nil, errAt(e.Pos, ErrInvalid, "%s takes the file's path, then named "+
				"options such as header => true", e.Name.Name)
		}
		path, _ = e.Args[0].(*parser.Literal)
		opts["format"] = format
		for _, n := range e.Named {
			key, ok := namedOptions[strings.ToLower(n.Name.Name)]
			if !ok {
				return nil, errAt(n.Value.Position(), ErrInvalid, "unknown option %q of %s%s",
					n.Name.Name, e.Name.Name, didYouMean(n.Name.Name, keys(namedOptions)))
			}
			lit, ok := n.Value.(*parser.Literal)
			if !ok {
				return nil, errAt(n.Value.Position(), ErrInvalid,
					"option %s takes a constant, got %s", n.Name.Name, n.Value.String())
			}
			opts[key] = literalText(lit)
		}
	}
	if path == nil || path.Kind != parser.LitString {
		return nil, errAt(src.Position(), ErrInvalid, "expected the file's path as a string")
	}
	opts["path"] = path.Text
	if _, given := opts["delimiter"]; opts["format"] == "csv" && !given &&
		formatOf(path.Text) == "tsv" {
		opts["format"] = "tsv" // read_csv of a .tsv file: tabs, as DuckDB's sniffer finds
	}
	name := strings.TrimSuffix(filepath.Base(path.Text), filepath.Ext(path.Text))
	st := &Stream{Name: name, Options: opts}
	fo, err := fileOptions(st)
	if err != nil {
		return nil, errAt(src.Position(), ErrInvalid, "%s: %v", path.Text, err)
	}
	schema, err := connector.InferSchema(fo)
	if err != nil {
		return nil, errAt(path.Pos, ErrInvalid, "%v", err)
	}
	for _, f := range schema.Fields() {
		st.Columns = append(st.Columns, Column{Name: f.Name, Type: f.Type})
	}
	if alias == "" {
		alias = name
	}
	rel, err := scanStream(st, alias, path.Pos, pc, p)
	if err != nil {
		return nil, err
	}
	rel.node.Details = append(rel.node.Details, "schema inferred: "+describeColumns(st))
	return rel, nil
}

func literalText(l *parser.Literal) string {
	switch l.Kind {
	case parser.LitBool:
		if l.Bool {
			return "true"
		}
		return "false"
	case parser.LitString:
		return l.Text
	}
	return l.String()
}

func describeColumns(st *Stream) string {
	parts := make([]string, len(st.Columns))
	for i, c := range st.Columns {
		parts[i] = c.Name + " " + functions.TypeName(c.Type)
	}
	return strings.Join(parts, ", ")
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// planStdin plans `FROM stdin`: CSV with a header (or the StdinFormat), its columns' types
// inferred from the first lines.
func planStdin(ref *parser.ColumnRef, alias string, pc *Context, p *Plan) (*relation, error) {
	if pc.Stdin == nil {
		return nil, errAt(ref.Pos, ErrInvalid, "no standard input to read")
	}
	format := pc.StdinFormat
	if format == "" {
		format = "csv"
	}
	st := &Stream{Name: "stdin", Options: map[string]string{"connector": "stdin",
		"format": format}}
	fo, err := fileOptions(st)
	if err != nil {
		return nil, errAt(ref.Pos, ErrInvalid, "stdin: %v", err)
	}
	schema, replay, err := connector.InferReader("stdin", pc.Stdin, fo)
	if err != nil {
		return nil, errAt(ref.Pos, ErrInvalid, "stdin: %v", err)
	}
	for _, f := range schema.Fields() {
		st.Columns = append(st.Columns, Column{Name: f.Name, Type: f.Type})
	}
	// The sampled lines are read again, then the rest of the input.
	inner := *pc
	inner.Stdin = replay
	if alias == "" {
		alias = "stdin"
	}
	rel, err := scanStream(st, alias, ref.Pos, &inner, p)
	if err != nil {
		return nil, err
	}
	rel.node.Details = append(rel.node.Details, "schema inferred: "+describeColumns(st))
	return rel, nil
}
