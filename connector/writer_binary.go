package connector

import (
	"bufio"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// parquetRowGroupRows is the number of rows of a Parquet row group at most.
const parquetRowGroupRows = 1 << 20

// parquetWriter writes a Parquet file: snappy-compressed row groups of up to a million rows.
// Parquet has no type for an INTERVAL: it is written as a BIGINT of microseconds, which a
// stream declaring the column INTERVAL reads back as one. A Parquet file is complete only
// with its footer, which Close writes: Flush does nothing.
type parquetWriter struct {
	bw     *bufio.Writer
	schema *arrow.Schema // the result's
	file   *arrow.Schema // the file's: INTERVAL columns as BIGINT
	fw     *pqarrow.FileWriter
	closed bool
}

func newParquetWriter(bw *bufio.Writer, schema *arrow.Schema) (*parquetWriter, error) {
	fields := append([]arrow.Field(nil), schema.Fields()...)
	for i, f := range fields {
		if f.Type.ID() == arrow.DURATION {
			fields[i].Type = arrow.PrimitiveTypes.Int64
		}
	}
	file := arrow.NewSchema(fields, nil)
	props := parquet.NewWriterProperties(
		parquet.WithCompression(compress.Codecs.Snappy),
		parquet.WithMaxRowGroupLength(parquetRowGroupRows),
		parquet.WithAllocator(memory.DefaultAllocator))
	fw, err := pqarrow.NewFileWriter(file, bw, props, pqarrow.DefaultWriterProps())
	if err != nil {
		return nil, err
	}
	return &parquetWriter{bw: bw, schema: schema, file: file, fw: fw}, nil
}

func (w *parquetWriter) WriteBatch(b arrow.RecordBatch) error {
	if w.closed {
		return errRowWriterClosed
	}
	if err := checkBatch(w.schema, b); err != nil {
		return err
	}
	if b.NumRows() == 0 {
		return nil
	}
	if w.file == w.schema || w.file.Equal(w.schema) {
		return w.fw.WriteBuffered(b)
	}
	cols := make([]arrow.Array, b.NumCols())
	for i, c := range b.Columns() {
		if c.DataType().ID() != arrow.DURATION {
			c.Retain()
			cols[i] = c
			continue
		}
		data := array.NewData(arrow.PrimitiveTypes.Int64, c.Len(), c.Data().Buffers(), nil,
			c.NullN(), c.Data().Offset())
		cols[i] = array.MakeFromData(data)
		data.Release()
	}
	fb := array.NewRecordBatch(w.file, cols, b.NumRows())
	for _, c := range cols {
		c.Release()
	}
	defer fb.Release()
	return w.fw.WriteBuffered(fb)
}

// Flush does nothing: the rows reach the file in row groups, and the file is whole at Close.
func (w *parquetWriter) Flush() error { return nil }

func (w *parquetWriter) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	err := w.fw.Close() // the writer is a bufio.Writer, which it does not close
	if ferr := w.bw.Flush(); err == nil {
		err = ferr
	}
	return err
}

// arrowWriter writes the Arrow IPC file format; Close writes its footer.
type arrowWriter struct {
	bw     *bufio.Writer
	schema *arrow.Schema
	fw     *ipc.FileWriter
	closed bool
}

func newArrowWriter(bw *bufio.Writer, schema *arrow.Schema) (*arrowWriter, error) {
	fw, err := ipc.NewFileWriter(bw, ipc.WithSchema(schema),
		ipc.WithAllocator(memory.DefaultAllocator))
	if err != nil {
		return nil, err
	}
	return &arrowWriter{bw: bw, schema: schema, fw: fw}, nil
}

func (w *arrowWriter) WriteBatch(b arrow.RecordBatch) error {
	if w.closed {
		return errRowWriterClosed
	}
	if err := checkBatch(w.schema, b); err != nil {
		return err
	}
	return w.fw.Write(b)
}

func (w *arrowWriter) Flush() error { return w.bw.Flush() }

func (w *arrowWriter) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	err := w.fw.Close()
	if ferr := w.bw.Flush(); err == nil {
		err = ferr
	}
	return err
}

var (
	_ RowWriter = (*parquetWriter)(nil)
	_ RowWriter = (*arrowWriter)(nil)
)
