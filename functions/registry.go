package functions

import (
	"errors"
	"sort"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Sentinel errors of the registry; callers wrap them with the position at fault.
var (
	ErrUnknownFunction = errors.New("unknown function")
	ErrSignature       = errors.New("no matching signature")
	ErrOverflow        = errors.New("integer overflow")
	// ErrUnsupported is wrapped by the error of a call weir does not support yet, such as
	// rate() over CUMULATE windows.
	ErrUnsupported = errors.New("unsupported")
	// ErrInvalidArgument is wrapped by the error of an argument whose value is wrong, such as
	// a percentile's fraction outside [0, 1] or a malformed regular expression.
	ErrInvalidArgument = errors.New("invalid argument")
)

// Kind tells what sort of function an entry is.
type Kind int

// The kinds of function.
const (
	KindScalar Kind = iota
	KindAggregate
	KindAnalytic
)

// Scalar is a function evaluated row by row, vectorised over whole arrays.
type Scalar struct {
	Name     string
	Args     string // the signature as users read it, e.g. "(BIGINT) -> TIMESTAMP"
	NullRule string // e.g. "NULL if any argument is NULL"
	Summary  string
	// Resolve checks the argument types and returns the result type; an error says what is
	// wrong with the arguments.
	Resolve func(args []arrow.DataType) (arrow.DataType, error)
	// Eval computes the result over n rows. Every argument has length n. The caller owns the
	// returned array and releases it.
	Eval func(mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error)
}

// Aggregate is a function that folds many rows of a group into one value.
type Aggregate struct {
	Name     string
	Args     string
	NullRule string
	Summary  string
	// Resolve checks the argument types (empty for count(*)) and returns the result type.
	Resolve func(args []arrow.DataType) (arrow.DataType, error)
	// New returns empty state for the given argument types.
	New func(args []arrow.DataType) AggState
	// Bind, when set, specialises the aggregate for one call: it reads the constant arguments
	// (a percentile's fraction), DISTINCT, WITHIN GROUP and the window, and says which
	// arguments the call evaluates per row (see BindCall). Aggregates without it take every
	// argument per row.
	Bind func(c CallInfo) (Bound, error)
}

// AggState is the columnar state of one aggregate over many groups, indexed by group slot.
// Slots are dense small integers handed out by the caller; Grow must have been called with a
// count above every slot used.
type AggState interface {
	// Grow makes room for slots 0..n-1; new slots are empty.
	Grow(n int)
	// Update folds one batch: row i goes to slot groups[i]. args holds the argument arrays,
	// each of len(groups) rows (none for count(*)). It is called once per batch, never per row.
	Update(groups []uint32, args []arrow.Array) error
	// Merge folds slot src of other, a state of the same aggregate, into slot dst.
	Merge(dst uint32, other AggState, src uint32)
	// Reset empties a slot so that it can be reused by another group.
	Reset(slot uint32)
	// Append appends the final value of a slot to b, whose type is the result type.
	Append(b array.Builder, slot uint32) error
	// SizeBytes is the heap memory the state holds.
	SizeBytes() int
}

// Registry holds the functions known to an engine.
type Registry struct {
	mu         sync.RWMutex
	scalars    map[string]*Scalar
	aggregates map[string]*Aggregate
	analytics  map[string]*Analytic
	custom     bool // a function was registered beside the built-ins
}

// NewRegistry returns a registry with every built-in function.
func NewRegistry() *Registry {
	r := &Registry{scalars: map[string]*Scalar{}, aggregates: map[string]*Aggregate{},
		analytics: map[string]*Analytic{}}
	for _, a := range builtinAnalytics() {
		r.analytics[a.Name] = a
	}
	for _, s := range builtinScalars() {
		r.RegisterScalar(s)
	}
	for _, a := range builtinAggregates() {
		r.RegisterAggregate(a)
	}
	r.custom = false
	return r
}

// Custom reports whether functions were registered beside the built-ins (the planner runs
// queries on one worker then, since it cannot know that they are safe for concurrent use).
func (r *Registry) Custom() bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.custom
}

// RegisterScalar adds or replaces a scalar function; names are case-insensitive.
func (r *Registry) RegisterScalar(s *Scalar) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.scalars[strings.ToLower(s.Name)] = s
	r.custom = true
}

// RegisterAggregate adds or replaces an aggregate function; names are case-insensitive.
func (r *Registry) RegisterAggregate(a *Aggregate) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.aggregates[strings.ToLower(a.Name)] = a
	r.custom = true
}

// Scalar looks up a scalar function by name.
func (r *Registry) Scalar(name string) (*Scalar, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	s, ok := r.scalars[strings.ToLower(name)]
	return s, ok
}

// Aggregate looks up an aggregate function by name.
func (r *Registry) Aggregate(name string) (*Aggregate, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	a, ok := r.aggregates[strings.ToLower(name)]
	return a, ok
}

// Analytic looks up an analytic function (one called with OVER) by name.
func (r *Registry) Analytic(name string) (*Analytic, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	a, ok := r.analytics[strings.ToLower(name)]
	return a, ok
}

// Entry is one function as SHOW FUNCTIONS lists it.
type Entry struct {
	Name, Kind, Args, NullRule, Summary string
}

// Entries lists every function sorted by name, then kind (avg the aggregate comes before avg
// the analytic function).
func (r *Registry) Entries() []Entry {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []Entry
	for _, s := range r.scalars {
		out = append(out, Entry{s.Name, "scalar", s.Args, s.NullRule, s.Summary})
	}
	for _, a := range r.aggregates {
		out = append(out, Entry{a.Name, "aggregate", a.Args, a.NullRule, a.Summary})
	}
	for _, a := range r.analytics {
		out = append(out, Entry{a.Name, "analytic", a.Args, a.NullRule, a.Summary})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Kind < out[j].Kind
	})
	return out
}

// Names lists every function name once, sorted, for suggestions and completion.
func (r *Registry) Names() []string {
	var out []string
	for _, e := range r.Entries() {
		if len(out) == 0 || out[len(out)-1] != e.Name {
			out = append(out, e.Name)
		}
	}
	return out
}

// AnalyticNames lists the names of the analytic functions, sorted.
func (r *Registry) AnalyticNames() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.analytics))
	for name := range r.analytics {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}
