// Package planner resolves names and types of parsed SQL against the catalog of streams and the
// function registry, and builds the physical plan of operators that exec runs.
package planner

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/weirsql/weir/exec"
	"github.com/weirsql/weir/functions"
	"github.com/weirsql/weir/parser"
)

// Sentinel errors; planning errors wrap one of them beside the position at fault.
var (
	ErrUnknownColumn   = errors.New("unknown column")
	ErrUnknownStream   = errors.New("unknown stream")
	ErrUnknownFunction = functions.ErrUnknownFunction
	ErrTypeMismatch    = errors.New("type mismatch")
	ErrUnsupported     = errors.New("unsupported")
	ErrInvalid         = errors.New("invalid")
)

// Error is a planning error at a position in the SQL text.
type Error struct {
	Pos parser.Pos
	Msg string
	Err error // the sentinel kind
}

func (e *Error) Error() string {
	return fmt.Sprintf("%d:%d: %s", e.Pos.Line, e.Pos.Column, e.Msg)
}

func (e *Error) Unwrap() error { return e.Err }

func errAt(pos parser.Pos, kind error, format string, args ...any) error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...), Err: kind}
}

// Column is a column of a stream: read from the source, or computed from the others.
type Column struct {
	Name     string
	Type     arrow.DataType
	Computed parser.Expr
}

// Stream is a stream in the catalog.
type Stream struct {
	Name    string
	Columns []Column
	// WatermarkColumn is the column the WATERMARK clause names ("" when there is none), and
	// Delay how far the watermark trails the largest event time, in microseconds.
	WatermarkColumn string
	Delay           int64
	// IdleTimeout leaves a partition out of the watermark after this much processing time
	// without events (0: never).
	IdleTimeout time.Duration
	Options     map[string]string
	// Hub carries the events a program pushes into a stream declared without a connector.
	Hub *exec.Hub
}

// Catalog holds the streams an engine knows.
type Catalog struct {
	mu      sync.RWMutex
	streams map[string]*Stream // by lower-case name
}

// NewCatalog returns an empty catalog.
func NewCatalog() *Catalog {
	return &Catalog{streams: map[string]*Stream{}}
}

// Lookup finds a stream by name; unquoted names are case-insensitive.
func (c *Catalog) Lookup(name parser.Ident) (*Stream, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	s, ok := c.streams[strings.ToLower(name.Name)]
	if ok && name.Quoted && s.Name != name.Name {
		return nil, false
	}
	return s, ok
}

// Add puts a stream into the catalog; it fails if the name is taken, unless replace is set.
func (c *Catalog) Add(s *Stream, replace bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	key := strings.ToLower(s.Name)
	if _, ok := c.streams[key]; ok && !replace {
		return fmt.Errorf("stream %q already exists", s.Name)
	}
	c.streams[key] = s
	return nil
}

// Drop removes a stream; it reports whether it was there.
func (c *Catalog) Drop(name parser.Ident) bool {
	if _, ok := c.Lookup(name); !ok {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.streams, strings.ToLower(name.Name))
	return true
}

// Streams lists the streams sorted by name.
func (c *Catalog) Streams() []*Stream {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]*Stream, 0, len(c.streams))
	for _, s := range c.streams {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Names lists the stream names, for suggestions and completion.
func (c *Catalog) Names() []string {
	var out []string
	for _, s := range c.Streams() {
		out = append(out, s.Name)
	}
	return out
}

// PhysicalSchema is the schema of the columns a source reads (computed ones left out).
func (s *Stream) PhysicalSchema() *arrow.Schema {
	var fields []arrow.Field
	for _, c := range s.Columns {
		if c.Computed == nil {
			fields = append(fields, arrow.Field{Name: c.Name, Type: c.Type, Nullable: true})
		}
	}
	return arrow.NewSchema(fields, nil)
}
