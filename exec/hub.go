package exec

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Hub carries the events a program pushes into a stream to the queries that read it. Each
// writer opens a partition of its own; the stream ends for a query when every partition opened
// on it has closed. A query that falls behind makes the writers wait: nothing is dropped.
type Hub struct {
	schema *arrow.Schema
	now    func() time.Time

	mu     sync.Mutex
	subs   map[*Subscription]struct{}
	open   map[int]time.Time // the open partitions and when they opened
	nextID int
	closed int
}

// ErrNoReader is returned by Push when no query reads the stream.
var ErrNoReader = errors.New("no query reads the stream")

// NewHub returns the hub of a stream with the given schema.
func NewHub(schema *arrow.Schema, now func() time.Time) *Hub {
	if now == nil {
		now = time.Now
	}
	return &Hub{schema: schema, now: now, subs: map[*Subscription]struct{}{},
		open: map[int]time.Time{}}
}

// Schema is the stream's schema.
func (h *Hub) Schema() *arrow.Schema { return h.schema }

type hubItem struct {
	batch arrow.RecordBatch // nil for a partition opening or closing, or a tick
	part  int
	open  bool
	tick  bool
	at    time.Time
}

// Tick makes every query reading the stream look at the processing-time clock (EMIT EVERY,
// idle partitions) as if an empty batch had come, without counting as a partition's activity.
func (h *Hub) Tick() {
	h.mu.Lock()
	subs := h.subscribers()
	h.mu.Unlock()
	for _, s := range subs {
		s.enqueue(hubItem{tick: true, part: -1})
	}
}

// OpenPartition starts a new partition and returns its id.
func (h *Hub) OpenPartition() int {
	h.mu.Lock()
	id := h.nextID
	h.nextID++
	at := h.now()
	h.open[id] = at
	subs := h.subscribers()
	h.mu.Unlock()
	for _, s := range subs {
		s.enqueue(hubItem{part: id, open: true, at: at})
	}
	return id
}

func (h *Hub) subscribers() []*Subscription {
	subs := make([]*Subscription, 0, len(h.subs))
	for s := range h.subs {
		subs = append(subs, s)
	}
	return subs
}

// ClosePartition ends a partition.
func (h *Hub) ClosePartition(part int) {
	h.mu.Lock()
	if _, ok := h.open[part]; !ok {
		h.mu.Unlock()
		return
	}
	delete(h.open, part)
	h.closed++
	at := h.now()
	subs := h.subscribers()
	h.mu.Unlock()
	for _, s := range subs {
		s.enqueue(hubItem{part: part, at: at})
	}
}

// Push hands b, an event batch of partition part, to every query reading the stream, waiting
// while one of them is full. It does not take ownership of b.
func (h *Hub) Push(ctx context.Context, part int, b arrow.RecordBatch) error {
	h.mu.Lock()
	subs := h.subscribers()
	at := h.now()
	h.mu.Unlock()
	if len(subs) == 0 {
		return ErrNoReader
	}
	for _, s := range subs {
		b.Retain()
		select {
		case s.ch <- hubItem{batch: b, part: part, at: at}:
		case <-s.gone:
			b.Release()
		case <-ctx.Done():
			b.Release()
			return ctx.Err()
		}
	}
	return nil
}

// Subscribe returns a source of the stream for one query.
func (h *Hub) Subscribe() *Subscription {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := &Subscription{hub: h, ch: make(chan hubItem, 16), gone: make(chan struct{}),
		parts: map[int]*PartitionState{}}
	for id, at := range h.open {
		s.parts[id] = &PartitionState{ID: id, Open: true, LastActive: at}
	}
	h.subs[s] = struct{}{}
	return s
}

func (h *Hub) unsubscribe(s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs, s)
}

// Subscription is one query's source of a hub's stream. It implements Operator and
// Partitioned.
type Subscription struct {
	hub   *Hub
	ch    chan hubItem
	gone  chan struct{}
	once  sync.Once
	parts map[int]*PartitionState
	last  int
	ended bool

	// OnWait, when set, is called each time Next is about to wait for events: the tests use
	// it to know that everything pushed so far has gone through the query.
	OnWait func()
	// Tick, when set, makes Next return an empty batch after waiting that long for events,
	// so that a query whose stream falls silent still reads the processing-time clock (EMIT
	// EVERY, idle partitions).
	Tick time.Duration
}

var (
	_ Operator    = (*Subscription)(nil)
	_ Partitioned = (*Subscription)(nil)
)

// enqueue adds a control item, waiting while the queue is full, so that a partition's
// opening, batches and closing reach the query in the order they were made.
func (s *Subscription) enqueue(it hubItem) {
	select {
	case s.ch <- it:
	case <-s.gone:
	}
}

func (s *Subscription) Schema() *arrow.Schema          { return s.hub.schema }
func (s *Subscription) Open(ctx context.Context) error { return nil }

func (s *Subscription) Close() error {
	s.once.Do(func() {
		close(s.gone)
		s.hub.unsubscribe(s)
		for {
			select {
			case it := <-s.ch:
				if it.batch != nil {
					it.batch.Release()
				}
			default:
				return
			}
		}
	})
	return nil
}

// wait waits for the next item, or for Tick (a tick item), or for ctx to be done.
func (s *Subscription) wait(ctx context.Context) (hubItem, error) {
	var tick <-chan time.Time
	if s.Tick > 0 {
		t := time.NewTimer(s.Tick)
		defer t.Stop()
		tick = t.C
	}
	select {
	case it := <-s.ch:
		return it, nil
	case <-tick:
		return hubItem{tick: true, part: -1}, nil
	case <-ctx.Done():
		return hubItem{}, ctx.Err()
	}
}

// LastPartition is the partition of the last batch Next returned.
func (s *Subscription) LastPartition() int { return s.last }

// Partitions lists the partitions this query has seen open.
func (s *Subscription) Partitions() []PartitionState {
	out := make([]PartitionState, 0, len(s.parts))
	for _, p := range s.parts {
		out = append(out, *p)
	}
	return out
}

func (s *Subscription) allClosed() bool {
	if len(s.parts) == 0 {
		return false
	}
	for _, p := range s.parts {
		if p.Open {
			return false
		}
	}
	return true
}

func (s *Subscription) Next(ctx context.Context) (arrow.RecordBatch, error) {
	for {
		if s.ended || s.allClosed() {
			s.ended = true
			return nil, io.EOF
		}
		var it hubItem
		select {
		case it = <-s.ch:
		default:
			if s.OnWait != nil {
				s.OnWait()
			}
			var err error
			if it, err = s.wait(ctx); err != nil {
				return nil, err
			}
		}
		if it.tick {
			return emptyBatch(s.hub.schema), nil
		}
		p, ok := s.parts[it.part]
		if !ok {
			p = &PartitionState{ID: it.part, Open: true}
			s.parts[it.part] = p
		}
		p.LastActive = it.at
		switch {
		case it.batch != nil:
			s.last = it.part
			if it.batch.Schema() != nil && !it.batch.Schema().Equal(s.hub.schema) {
				it.batch.Release()
				return nil, fmt.Errorf("batch schema %s does not match the stream's %s",
					it.batch.Schema(), s.hub.schema)
			}
			return it.batch, nil
		case !it.open:
			p.Open = false
			if !s.allClosed() {
				// The watermark may move now that this partition no longer holds it back.
				return emptyBatch(s.hub.schema), nil
			}
		}
	}
}

// emptyBatch is a batch of no rows, which lets the operators above look at the clock.
func emptyBatch(schema *arrow.Schema) arrow.RecordBatch {
	cols := make([]arrow.Array, schema.NumFields())
	for i, f := range schema.Fields() {
		b := array.NewBuilder(memory.DefaultAllocator, f.Type)
		cols[i] = b.NewArray()
		b.Release()
	}
	defer releaseAll(cols)
	return array.NewRecordBatch(schema, cols, 0)
}
