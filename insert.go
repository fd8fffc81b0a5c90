package weir

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/weirsql/weir/connector"
	"github.com/weirsql/weir/functions"
	"github.com/weirsql/weir/parser"
)

// insert runs INSERT INTO stream query: the query's rows, column by column in order, are
// written to the file of a stream declared with the file connector, in its format, as they
// come.
func (db *DB) insert(ctx context.Context, ins *parser.Insert) error {
	name := ins.Target.Parts[len(ins.Target.Parts)-1]
	pos := ins.Target.Pos
	st, ok := db.catalog.Lookup(name)
	if !ok {
		return fmt.Errorf("%d:%d: unknown stream %q", pos.Line, pos.Column, ins.Target.String())
	}
	path := st.Options["path"]
	if st.Options["connector"] != "file" || strings.ContainsAny(path, "*?[") {
		return fmt.Errorf("%d:%d: INSERT INTO needs a stream declared with connector 'file' "+
			"and the path of one file", pos.Line, pos.Column)
	}
	schema := st.PhysicalSchema()
	rows, err := db.start(ctx, ins.Query, false)
	if err != nil {
		return err
	}
	defer rows.Close()
	if err := sinkCompatible(schema, rows.Schema(), st.Name); err != nil {
		return fmt.Errorf("%d:%d: %w", ins.Query.Pos.Line, ins.Query.Pos.Column, err)
	}
	format := strings.ToLower(st.Options["format"])
	if format == "" {
		format = formatOfPath(path)
	}
	if err := writeRows(path, format, schema, rows); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return rows.Close() // a late file's error comes at its close
}

// writeRows writes the rows of a result to the file at path, in format, as they come. A
// failure to create or write the file is a *connector.WriteError, and ends the rows at once.
func writeRows(path, format string, schema *arrow.Schema, rows *Rows) error {
	f, err := os.Create(path)
	if err != nil {
		return &connector.WriteError{Path: path, Err: err}
	}
	w, err := connector.NewRowWriter(format, f, schema)
	if err != nil {
		f.Close()
		return err
	}
	for rows.Next() {
		b := rows.Batch()
		out := array.NewRecordBatch(schema, b.Columns(), b.NumRows())
		err = w.WriteBatch(out)
		out.Release()
		if err == nil {
			err = w.Flush()
		}
		if err != nil {
			break
		}
	}
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return &connector.WriteError{Path: path, Err: err}
	}
	return nil
}

// sinkCompatible checks that a query's columns fit a stream's, in order.
func sinkCompatible(sink, out *arrow.Schema, name string) error {
	if sink.NumFields() != out.NumFields() {
		return fmt.Errorf("stream %s has %d columns, the query gives %d", name,
			sink.NumFields(), out.NumFields())
	}
	for i, f := range sink.Fields() {
		if !arrow.TypeEqual(f.Type, out.Field(i).Type) {
			return fmt.Errorf("column %q of %s is %s, the query's column %d (%s) is %s "+
				"(CAST it)", f.Name, name, functions.TypeName(f.Type), i+1, out.Field(i).Name,
				functions.TypeName(out.Field(i).Type))
		}
	}
	return nil
}

// formatOfPath is the output format a file's extension names.
func formatOfPath(path string) string {
	switch strings.ToLower(filepath.Ext(strings.TrimSuffix(path, ".gz"))) {
	case ".tsv", ".tab":
		return "tsv"
	case ".json", ".jsonl", ".ndjson":
		return "json"
	case ".parquet":
		return "parquet"
	case ".arrow", ".ipc", ".feather":
		return "arrow"
	}
	return "csv"
}
