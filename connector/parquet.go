package connector

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// Parquet and Arrow IPC files hold typed columns already: a source maps the declared columns
// to the file's by name, in any case, and casts a column whose type differs (INT32 to
// BIGINT, a timestamp in milliseconds to microseconds, a dictionary of strings to VARCHAR),
// through arrow's cast kernel, once per batch. Arrow IPC is read in its file format
// (beginning with ARROW1, as NewRowWriter writes it) or its stream format. Nested columns
// are not read.

// binaryReader yields the batches of a Parquet or Arrow file; the caller releases them.
type binaryReader interface {
	schema() *arrow.Schema
	next() (arrow.RecordBatch, error) // io.EOF at the end
	close() error
}

// binarySource reads a Parquet or Arrow IPC file.
type binarySource struct {
	path   string
	format string
	opts   FileOptions
	schema *arrow.Schema
	mem    memory.Allocator
	stats  *SourceStats
	count  func(int64)
	f      *os.File
	rd     binaryReader
	index  []int // the file column of each declared column
	opened bool
	closed bool
}

var _ Source = (*binarySource)(nil)

func newParquetSource(path string, opts FileOptions, schema *arrow.Schema,
	mem memory.Allocator, stats *SourceStats, count func(int64)) (Source, error) {
	return newBinarySource(path, "parquet", opts, schema, mem, stats, count)
}

func newArrowSource(path string, opts FileOptions, schema *arrow.Schema,
	mem memory.Allocator, stats *SourceStats, count func(int64)) (Source, error) {
	return newBinarySource(path, "arrow", opts, schema, mem, stats, count)
}

func newBinarySource(path, format string, opts FileOptions, schema *arrow.Schema,
	mem memory.Allocator, stats *SourceStats, count func(int64)) (*binarySource, error) {
	if opts.Pattern != "" {
		return nil, fmt.Errorf("a pattern needs format = 'regex', not %s", format)
	}
	if stats == nil {
		stats = &SourceStats{}
	}
	return &binarySource{path: path, format: format, opts: opts, schema: schema, mem: mem,
		stats: stats, count: count}, nil
}

func (s *binarySource) Schema() *arrow.Schema { return s.schema }

func (s *binarySource) Stats() *SourceStats { return s.stats }

// Open opens the file, reads its schema and maps the declared columns to its own.
func (s *binarySource) Open(ctx context.Context) error {
	if s.opened {
		return errors.New("source opened twice")
	}
	s.opened = true
	f, err := os.Open(s.path)
	if err != nil {
		return err
	}
	s.f = f
	// The wrapper hides f's Close from the readers, which would close it.
	in := &countingFile{f: f, count: s.count}
	rd, err := openBinary(ctx, s.format, in, s.opts.BatchSize, s.mem)
	if err != nil {
		return fmt.Errorf("%s: %w", s.path, err)
	}
	s.rd = rd
	return s.mapColumns()
}

// openBinary opens a Parquet or Arrow file. The readers may panic on a damaged file: that is
// an error here.
func openBinary(ctx context.Context, format string, in readAtSeeker, batch int,
	mem memory.Allocator) (rd binaryReader, err error) {
	defer recoverCorrupt(format, &err)
	if format == "parquet" {
		pr, err := openParquet(ctx, in, batch, mem)
		if err != nil {
			return nil, err
		}
		return pr, nil
	}
	return openArrow(in, mem)
}

// recoverCorrupt turns a panic of a Parquet or Arrow reader into an error in *err.
func recoverCorrupt(format string, err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("corrupt %s file: %v", format, r)
	}
}

// read returns the next batch of the reader, or an error where it panics on a damaged file.
func (s *binarySource) read() (b arrow.RecordBatch, err error) {
	defer recoverCorrupt(s.format, &err)
	return s.rd.next()
}

// mapColumns finds each declared column in the file and checks that its type casts to the
// declared one.
func (s *binarySource) mapColumns() error {
	have := s.rd.schema()
	for _, f := range s.schema.Fields() {
		j := fieldIndexFold(have, f.Name)
		if j < 0 {
			names := make([]string, have.NumFields())
			for k, g := range have.Fields() {
				names[k] = g.Name
			}
			return fmt.Errorf("%s: column %q is not in the file (its columns: %s)", s.path,
				f.Name, strings.Join(names, ", "))
		}
		from := have.Field(j).Type
		if !arrow.TypeEqual(from, f.Type) && !compute.CanCast(from, f.Type) {
			return fmt.Errorf("%s: column %q is %s in the file, which does not convert to %s",
				s.path, f.Name, from, f.Type)
		}
		s.index = append(s.index, j)
	}
	return nil
}

// Next returns the next batch of the file in the declared columns; empty batches are
// skipped.
func (s *binarySource) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !s.opened || s.closed || s.rd == nil {
		return nil, errors.New("source not open")
	}
	for {
		b, err := s.read()
		if err == io.EOF {
			return nil, err
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.path, err)
		}
		if b.NumRows() == 0 {
			b.Release()
			continue
		}
		out, err := s.convert(ctx, b)
		b.Release()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.path, err)
		}
		s.stats.RowsRead.Add(out.NumRows())
		return out, nil
	}
}

// convert returns the declared columns of b, cast where the types differ.
func (s *binarySource) convert(ctx context.Context, b arrow.RecordBatch) (arrow.RecordBatch,
	error) {
	cols := make([]arrow.Array, len(s.index))
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for i, j := range s.index {
		col := b.Column(j)
		to := s.schema.Field(i).Type
		if arrow.TypeEqual(col.DataType(), to) {
			col.Retain()
			cols[i] = col
			continue
		}
		// Timestamps lose what is finer than the declared unit; other casts must be exact.
		safe := col.DataType().ID() != arrow.TIMESTAMP
		c, err := compute.CastArray(compute.WithAllocator(ctx, s.mem), col,
			compute.NewCastOptions(to, safe))
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", s.schema.Field(i).Name, err)
		}
		cols[i] = c
	}
	return array.NewRecordBatch(s.schema, cols, b.NumRows()), nil
}

// Close closes the reader and the file.
func (s *binarySource) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	var err error
	if s.rd != nil {
		err = s.rd.close()
	}
	if s.f != nil {
		if cerr := s.f.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

type readAtSeeker interface {
	io.Reader
	io.ReaderAt
	io.Seeker
}

// countingFile tells count, when it is not nil, how many bytes each read of the file
// returns.
type countingFile struct {
	f     *os.File
	count func(int64)
}

func (c *countingFile) Read(p []byte) (int, error) {
	n, err := c.f.Read(p)
	if c.count != nil {
		c.count(int64(n))
	}
	return n, err
}

func (c *countingFile) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.f.ReadAt(p, off)
	if c.count != nil {
		c.count(int64(n))
	}
	return n, err
}

func (c *countingFile) Seek(off int64, whence int) (int64, error) {
	return c.f.Seek(off, whence)
}

// parquetReader reads a Parquet file through pqarrow, all its columns.
type parquetReader struct {
	pf *file.Reader
	rr pqarrow.RecordReader
	sc *arrow.Schema
}

func openParquet(ctx context.Context, in readAtSeeker, batch int,
	mem memory.Allocator) (*parquetReader, error) {
	if batch <= 0 {
		batch = defaultBatchSize
	}
	pf, err := file.NewParquetReader(in, file.WithReadProps(parquet.NewReaderProperties(mem)))
	if err != nil {
		return nil, err
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: int64(batch)},
		mem)
	if err != nil {
		pf.Close()
		return nil, err
	}
	rr, err := fr.GetRecordReader(ctx, nil, nil)
	if err != nil {
		pf.Close()
		return nil, err
	}
	return &parquetReader{pf: pf, rr: rr, sc: rr.Schema()}, nil
}

func (r *parquetReader) schema() *arrow.Schema { return r.sc }

func (r *parquetReader) next() (arrow.RecordBatch, error) {
	b, err := r.rr.Read()
	if err != nil {
		return nil, err // io.EOF at the end
	}
	b.Retain() // the reader releases it at the next Read
	return b, nil
}

func (r *parquetReader) close() error {
	r.rr.Release()
	return r.pf.Close()
}

// arrowFileReader reads the Arrow IPC file format.
type arrowFileReader struct {
	fr *ipc.FileReader
	i  int
}

// arrowStreamReader reads the Arrow IPC stream format.
type arrowStreamReader struct{ r *ipc.Reader }

// openArrow opens an Arrow IPC file in the file format, or else in the stream format.
func openArrow(in readAtSeeker, mem memory.Allocator) (binaryReader, error) {
	magic := make([]byte, 6)
	if _, err := io.ReadFull(in, magic); err != nil && err != io.ErrUnexpectedEOF {
		return nil, err
	}
	if _, err := in.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	if bytes.Equal(magic, []byte("ARROW1")) {
		fr, err := ipc.NewFileReader(in, ipc.WithAllocator(mem))
		if err != nil {
			return nil, err
		}
		return &arrowFileReader{fr: fr}, nil
	}
	r, err := ipc.NewReader(in, ipc.WithAllocator(mem))
	if err != nil {
		return nil, err
	}
	return &arrowStreamReader{r: r}, nil
}

func (r *arrowFileReader) schema() *arrow.Schema { return r.fr.Schema() }

func (r *arrowFileReader) next() (arrow.RecordBatch, error) {
	if r.i >= r.fr.NumRecords() {
		return nil, io.EOF
	}
	r.i++
	return r.fr.RecordBatchAt(r.i - 1)
}

func (r *arrowFileReader) close() error { return r.fr.Close() }

func (r *arrowStreamReader) schema() *arrow.Schema { return r.r.Schema() }

func (r *arrowStreamReader) next() (arrow.RecordBatch, error) {
	if !r.r.Next() {
		if err := r.r.Err(); err != nil {
			return nil, err
		}
		return nil, io.EOF
	}
	b := r.r.RecordBatch()
	b.Retain()
	return b, nil
}

func (r *arrowStreamReader) close() error {
	r.r.Release()
	return nil
}

// inferBinarySchema returns the columns of a Parquet or Arrow file in weir's types: integers
// as BIGINT, floating point as DOUBLE, strings as VARCHAR, timestamps and dates as TIMESTAMP,
// booleans as BOOLEAN. Columns of other types are left out.
func inferBinarySchema(path, format string) (*arrow.Schema, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	in := &countingFile{f: f}
	rd, err := openBinary(context.Background(), format, in, 0, memory.DefaultAllocator)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	defer rd.close()
	var fields []arrow.Field
	for _, f := range rd.schema().Fields() {
		if t := weirType(f.Type); t != nil {
			fields = append(fields, arrow.Field{Name: f.Name, Type: t, Nullable: true})
		}
	}
	if len(fields) == 0 {
		return nil, fmt.Errorf("%s: no column of a type weir reads", path)
	}
	return arrow.NewSchema(fields, nil), nil
}

// weirType returns the weir type an Arrow type is read as, or nil.
func weirType(t arrow.DataType) arrow.DataType {
	switch t.ID() {
	case arrow.BOOL:
		return arrow.FixedWidthTypes.Boolean
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16,
		arrow.UINT32, arrow.UINT64:
		return arrow.PrimitiveTypes.Int64
	case arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64:
		return arrow.PrimitiveTypes.Float64
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW:
		return arrow.BinaryTypes.String
	case arrow.TIMESTAMP, arrow.DATE32, arrow.DATE64:
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	case arrow.DURATION:
		return &arrow.DurationType{Unit: arrow.Microsecond}
	case arrow.DICTIONARY:
		return weirType(t.(*arrow.DictionaryType).ValueType)
	}
	return nil
}
