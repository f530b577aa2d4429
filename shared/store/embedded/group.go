package embedded

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"

	bolt "go.etcd.io/bbolt"
)

// Group commit: the writes that arrive while a bbolt transaction is being
// synced to disk are committed together in the next one, with one fsync.
// A writer that finds no transaction in flight commits at once, so a lone
// caller waits for nothing but its own fsync (bbolt's Batch waits a fixed
// delay for company). The writer that commits a group leads it: when it is
// done, it hands the lead to the first writer that queued meanwhile, which
// takes the whole queue.
//
// Each write keeps its own outcome. Its check runs first and only reads: a
// write refused there is left out of the transaction and gets its error. A
// write whose apply fails may have written half of itself, so the
// transaction is rolled back and the group committed again without it.

// write is one writer's change, waiting in the queue or in a group.
type write struct {
	check func(*bolt.Tx) error // reads only; nil when there is nothing to check
	apply func(*bolt.Tx) error
	// postings says the write only adds to the counters (groupCounters),
	// never reads them: the counters of the group before it need not be
	// written first.
	postings bool
	err      error
	// turn tells a queued writer that its group is committed (false, err
	// is its outcome) or that it leads the next group (true).
	turn chan bool
}

type committer struct {
	mu      sync.Mutex
	leading bool // a writer is committing a group
	queue   []*write
	commits atomic.Int64
}

// Writes is what the store has written since it was opened: its groups'
// commits, each two disk syncs (bbolt syncs the pages, then the meta page),
// and the pages of every commit. A benchmark's figures.
type Writes struct{ Commits, Pages int64 }

func (s *Store) Written() Writes {
	stats := s.db.Stats()
	return Writes{s.group.commits.Load(), stats.TxStats.GetWrite()}
}

// update commits check and apply in the next group and returns their
// outcome.
func (s *Store) update(check, apply func(*bolt.Tx) error) error {
	return s.commitInGroup(&write{check: check, apply: apply})
}

// updatePostings is update for a write of postings.
func (s *Store) updatePostings(check, apply func(*bolt.Tx) error) error {
	return s.commitInGroup(&write{check: check, apply: apply, postings: true})
}

func (s *Store) commitInGroup(w *write) error {
	w.turn = make(chan bool, 1)
	g := &s.group
	g.mu.Lock()
	g.queue = append(g.queue, w)
	if g.leading {
		g.mu.Unlock()
		if lead := <-w.turn; !lead {
			return w.err
		}
		g.mu.Lock()
	}
	g.leading = true
	group := g.queue
	g.queue = nil
	g.mu.Unlock()

	s.commitGroup(group)

	g.mu.Lock()
	if len(g.queue) > 0 {
		g.queue[0].turn <- true
	} else {
		g.leading = false
	}
	g.mu.Unlock()
	for _, o := range group {
		if o != w {
			o.turn <- false
		}
	}
	return w.err
}

// commitGroup commits the writes that pass their checks in one bbolt
// transaction, in their order, and sets each write's outcome. The
// transaction also drops what the change feed's reader forgot meanwhile.
func (s *Store) commitGroup(group []*write) {
	for len(group) > 0 {
		var failed *write
		var dropped uint64
		indexLocked := false
		err := s.db.Update(func(tx *bolt.Tx) (err error) {
			s.idem.begin()
			s.counters = groupCounters{}
			if dropped, err = s.dropForgotten(tx); err != nil {
				return err
			}
			for _, w := range group {
				if !w.postings {
					if err := s.counters.write(tx); err != nil {
						return err
					}
				}
				if w.check != nil {
					if w.err = w.check(tx); w.err != nil {
						continue
					}
				}
				if w.err = w.apply(tx); w.err != nil {
					failed = w
					return w.err
				}
			}
			if err := s.counters.write(tx); err != nil {
				return err
			}
			// The index's readers wait while the file commits: one that
			// reads this transaction's changes (a redemption undone) must
			// then find their keys, or a duplicate racing its first request
			// would answer the refusal instead of the first answer.
			s.idem.mu.Lock()
			indexLocked = true
			return nil
		})
		if indexLocked {
			if err == nil {
				s.group.commits.Add(1)
				s.feed.dropped.Store(dropped)
				s.idem.commitLocked()
			}
			s.idem.mu.Unlock()
		}
		if failed == nil {
			for _, w := range group {
				if w.err == nil {
					w.err = err
				}
			}
			return
		}
		group = slices.DeleteFunc(slices.Clone(group), func(w *write) bool { return w == failed })
	}
}

// A read of an account waits for the changes of that member already on
// their way to the file (queued or being committed): read before them, it
// would decide on a version they are about to replace, and lose the race
// to them at its own commit, with a backoff and a retry, which under load
// is the tail of the latency.
type pendingChanges struct {
	mu      sync.Mutex
	members map[string]*pendingChange
}

type pendingChange struct {
	n    int           // changes of the member on their way
	done chan struct{} // closed when the last one is committed or refused
}

// add marks a change of id as on its way until the returned func is called.
func (p *pendingChanges) add(id string) (done func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.members == nil {
		p.members = map[string]*pendingChange{}
	}
	c := p.members[id]
	if c == nil {
		c = &pendingChange{done: make(chan struct{})}
		p.members[id] = c
	}
	c.n++
	return func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if c.n--; c.n == 0 {
			close(c.done)
			delete(p.members, id)
		}
	}
}

// wait returns once no change of id that was on its way is.
func (p *pendingChanges) wait(ctx context.Context, id string) error {
	p.mu.Lock()
	c := p.members[id]
	p.mu.Unlock()
	if c == nil {
		return nil
	}
	select {
	case <-c.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
