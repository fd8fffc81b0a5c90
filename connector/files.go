package connector

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/klauspost/compress/zstd"
)

// FilenameColumn is the column a file source fills with the path of the file each row comes
// from when FileOptions.Filename is set. The stream declares it, as `filename VARCHAR`.
const FilenameColumn = "filename"

// NewFileSource returns a source that reads the file at opts.Path in opts.Format (csv, tsv,
// json, regex, parquet or arrow; when empty, taken from the file's extension). A path with
// the wildcards *, ? or [ (and no file of that very name) is a glob: the files it matches are
// read one after another, in the order of their names, as one stream. A text file ending in
// .gz is gunzipped, one ending in .zst or .zstd decompressed with zstd, unless
// opts.Compression says otherwise.
//
// Batches have the given schema, whose columns must be BOOLEAN, BIGINT, DOUBLE, VARCHAR or
// TIMESTAMP; mem allocates them (nil means the default allocator). With opts.Filename, the
// schema's column named filename (FilenameColumn, any case) holds each row's file path, as
// the glob gave it, and is not read from the files. Files are opened one at a time, the
// first by Open; a missing file, or a glob that matches none, is reported here already.
func NewFileSource(opts FileOptions, schema *arrow.Schema, mem memory.Allocator) (Source, error) {
	if opts.Path == "" || opts.Path == "-" {
		return nil, errors.New("file source: no path given (stdin is read with NewReaderSource)")
	}
	paths, err := expandPath(opts.Path)
	if err != nil {
		return nil, err
	}
	format, err := fileFormat(opts)
	if err != nil {
		return nil, err
	}
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	s := &fileSource{paths: paths, opts: opts, format: format, schema: schema, inner: schema,
		mem: mem, nameCol: -1}
	if opts.Filename {
		s.nameCol = fieldIndexFold(schema, FilenameColumn)
		if s.nameCol < 0 {
			return nil, fmt.Errorf("filename = true needs a column %s VARCHAR in the schema",
				FilenameColumn)
		}
		if schema.Field(s.nameCol).Type.ID() != arrow.STRING {
			return nil, fmt.Errorf("column %s must be VARCHAR", schema.Field(s.nameCol).Name)
		}
		fields := append([]arrow.Field(nil), schema.Fields()[:s.nameCol]...)
		s.inner = arrow.NewSchema(append(fields, schema.Fields()[s.nameCol+1:]...), nil)
	}
	if err := checkOnError(opts); err != nil {
		return nil, err
	}
	// Check the options of the format now rather than at Open.
	if _, err := s.openFile(paths[0], false); err != nil {
		return nil, err
	}
	return s, nil
}

// fieldIndexFold returns the index of the field named name in any case, or -1.
func fieldIndexFold(schema *arrow.Schema, name string) int {
	for i, f := range schema.Fields() {
		if strings.EqualFold(f.Name, name) {
			return i
		}
	}
	return -1
}

// expandPath returns the files a path names: itself, or the files a glob matches, sorted.
func expandPath(path string) ([]string, error) {
	if _, err := os.Stat(path); err == nil || !strings.ContainsAny(path, "*?[") {
		return []string{path}, err
	}
	paths, err := filepath.Glob(path)
	if err != nil {
		return nil, fmt.Errorf("path %q: %w", path, err)
	}
	var files []string
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			files = append(files, p)
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no file matches %q", path)
	}
	sort.Strings(files)
	return files, nil
}

// fileFormat returns the format of opts, from the file's extension when opts.Format is empty.
func fileFormat(opts FileOptions) (string, error) {
	f := strings.ToLower(opts.Format)
	if f == "" {
		p := strings.ToLower(opts.Path)
		for _, ext := range []string{".gz", ".zst", ".zstd"} {
			p = strings.TrimSuffix(p, ext)
		}
		switch filepath.Ext(p) {
		case ".parquet":
			return "parquet", nil
		case ".arrow", ".arrows", ".ipc", ".feather":
			return "arrow", nil
		}
	}
	switch f {
	case "parquet", "arrow":
		return f, nil
	}
	return formatOf(opts)
}

func checkOnError(opts FileOptions) error {
	switch opts.OnError {
	case "", OnErrorSkip, OnErrorFail:
		if opts.Deadletter != "" {
			return errors.New("a deadletter file needs on_error = 'deadletter'")
		}
	case OnErrorDeadletter:
		if opts.Deadletter == "" {
			return errors.New("on_error = 'deadletter' needs a deadletter file")
		}
	default:
		return fmt.Errorf("unsupported: on_error = %q (skip, fail, deadletter)", opts.OnError)
	}
	return nil
}

// fileSource reads one file or several one after another, adds the filename column, and
// owns what the files share: the counters, the deadletter file and the progress bar.
type fileSource struct {
	paths   []string
	opts    FileOptions
	format  string
	schema  *arrow.Schema // what the batches have
	inner   *arrow.Schema // what the files are read into: schema without filename
	mem     memory.Allocator
	nameCol int // the filename column in schema, or -1
	names   strColumn

	cur      Source
	next     int // the next file to open
	stats    SourceStats
	dead     *deadletter
	progress *progress
	opened   bool
	closed   bool
}

var _ Source = (*fileSource)(nil)

func (s *fileSource) Schema() *arrow.Schema { return s.schema }

func (s *fileSource) Stats() *SourceStats { return &s.stats }

// Open opens the deadletter file and the first file.
func (s *fileSource) Open(ctx context.Context) error {
	if s.opened {
		return errors.New("source opened twice")
	}
	s.opened = true
	if s.opts.OnError == OnErrorDeadletter {
		d, err := createDeadletter(s.opts.Deadletter)
		if err != nil {
			return err
		}
		s.dead = d
	}
	if s.opts.Progress != nil {
		s.progress = newProgress(s.opts.Progress, s.paths)
	}
	return s.openNext(ctx)
}

// openNext opens the next file, leaving s.cur nil after the last one.
func (s *fileSource) openNext(ctx context.Context) error {
	if s.next >= len(s.paths) {
		return nil
	}
	path := s.paths[s.next]
	s.next++
	src, err := s.openFile(path, true)
	if err != nil {
		return err
	}
	s.cur = src
	if err := src.Open(ctx); err != nil {
		return err
	}
	return nil
}

// openFile makes the source of one file; with wire set, it shares the counters, deadletter
// file and progress bar of s.
func (s *fileSource) openFile(path string, wire bool) (Source, error) {
	var stats *SourceStats
	var dead *deadletter
	var count func(int64)
	if wire {
		stats, dead = &s.stats, s.dead
		if s.progress != nil {
			count = s.progress.add
		}
	}
	switch s.format {
	case "parquet":
		return newParquetSource(path, s.opts, s.inner, s.mem, stats, count)
	case "arrow":
		return newArrowSource(path, s.opts, s.inner, s.mem, stats, count)
	}
	t, err := newTextSource(path, s.opts, s.inner, s.mem)
	if err != nil {
		return nil, err
	}
	if stats != nil {
		t.stats = stats
	}
	t.dead = dead
	t.input = func() (io.Reader, io.Closer, error) { return openInput(path, s.opts, count) }
	return t, nil
}

// Next returns the next batch of the current file, going on to the next file at the end of
// one; io.EOF after the last.
func (s *fileSource) Next(ctx context.Context) (arrow.RecordBatch, error) {
	for {
		if s.closed || !s.opened {
			return nil, errors.New("source not open")
		}
		if s.cur == nil {
			return nil, io.EOF
		}
		b, err := s.cur.Next(ctx)
		if err == io.EOF {
			err = s.cur.Close()
			s.cur = nil
			if err == nil {
				err = s.openNext(ctx)
			}
			if err != nil {
				return nil, err
			}
			continue
		}
		if err != nil || s.nameCol < 0 {
			return b, err
		}
		return s.withFilename(b, s.paths[s.next-1]), nil
	}
}

// withFilename returns b with the filename column inserted, and releases b.
func (s *fileSource) withFilename(b arrow.RecordBatch, path string) arrow.RecordBatch {
	defer b.Release()
	n := int(b.NumRows())
	s.names.reset()
	for range n {
		s.names.addString(path)
	}
	name := s.names.array(s.mem)
	defer name.Release()
	cols := make([]arrow.Array, 0, len(b.Columns())+1)
	cols = append(cols, b.Columns()[:s.nameCol]...)
	cols = append(cols, name)
	cols = append(cols, b.Columns()[s.nameCol:]...)
	return array.NewRecordBatch(s.schema, cols, int64(n))
}

// Close closes the current file, the deadletter file and the progress bar.
func (s *fileSource) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	var err error
	if s.cur != nil {
		err = s.cur.Close()
		s.cur = nil
	}
	if s.dead != nil {
		if derr := s.dead.close(); err == nil {
			err = derr
		}
	}
	if s.progress != nil {
		s.progress.finish()
	}
	return err
}

// deadletter is the file that keeps the raw rows a source rejects.
type deadletter struct {
	f *os.File
	w *bufio.Writer
}

func createDeadletter(path string) (*deadletter, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("deadletter file: %w", err)
	}
	return &deadletter{f: f, w: bufio.NewWriter(f)}, nil
}

// write keeps one rejected row, its lines as read, ending in a line end.
func (d *deadletter) write(raw []byte) error {
	if _, err := d.w.Write(raw); err != nil {
		return fmt.Errorf("deadletter file: %w", err)
	}
	if len(raw) == 0 || raw[len(raw)-1] != '\n' {
		return d.w.WriteByte('\n')
	}
	return nil
}

func (d *deadletter) close() error {
	err := d.w.Flush()
	if cerr := d.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// compressionOf returns how the input at path is compressed: "gzip", "zstd", or "" for not
// at all; from opts.Compression, else from the path's extension.
func compressionOf(opts FileOptions, path string) (string, error) {
	switch strings.ToLower(opts.Compression) {
	case "":
		p := strings.ToLower(path)
		switch {
		case strings.HasSuffix(p, ".gz"):
			return "gzip", nil
		case strings.HasSuffix(p, ".zst"), strings.HasSuffix(p, ".zstd"):
			return "zstd", nil
		}
		return "", nil
	case "gzip", "gz":
		return "gzip", nil
	case "zstd", "zst":
		return "zstd", nil
	case "none":
		return "", nil
	}
	return "", fmt.Errorf("unsupported: compression %q (gzip, zstd, none)", opts.Compression)
}

// decompress returns a reader of what r holds decompressed, and what to close after it.
func decompress(name string, r io.Reader, kind string) (io.Reader, io.Closer, error) {
	switch kind {
	case "gzip":
		z, err := gzip.NewReader(r)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		return z, z, nil
	case "zstd":
		z, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		rc := z.IOReadCloser()
		return rc, rc, nil
	}
	return r, nil, nil
}

// openInput opens the file at path, decompressing it when it is compressed; count, when not
// nil, is told how many bytes of the file are read.
func openInput(path string, opts FileOptions, count func(int64)) (io.Reader, io.Closer, error) {
	kind, err := compressionOf(opts, path)
	if err != nil {
		return nil, nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	var r io.Reader = f
	if count != nil {
		r = &countingReader{r: f, count: count}
	}
	z, zc, err := decompress(path, r, kind)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return z, closers{zc, f}, nil
}

// closers closes each of its closers that is not nil, in order.
type closers []io.Closer

func (cs closers) Close() error {
	var err error
	for _, c := range cs {
		if c == nil {
			continue
		}
		if cerr := c.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// countingReader tells count how many bytes each read returns.
type countingReader struct {
	r     io.Reader
	count func(int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.count(int64(n))
	return n, err
}
