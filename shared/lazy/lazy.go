// Package lazy builds what a function needs when a request first needs it,
// once, and keeps it. A build that fails is tried again by the next request,
// so a passing fault (a throttled read, a secret fixed after a deployment)
// does not outlive the request it failed, and nothing is fetched over the
// network at start.
package lazy

import (
	"context"
	"log/slog"
	"os"
	"sync"
)

// Value is a T built by its first successful Get.
type Value[T any] struct {
	build func(context.Context) (T, error)
	mu    sync.Mutex
	v     T
	built bool
}

// New returns the Value that build makes.
func New[T any](build func(context.Context) (T, error)) *Value[T] {
	return &Value[T]{build: build}
}

// Get returns the value, building it if no Get has yet. Concurrent callers
// wait for one build.
func (l *Value[T]) Get(ctx context.Context) (T, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.built {
		return l.v, nil
	}
	v, err := l.build(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	l.v, l.built = v, true
	return v, nil
}

// Handler is the handler of an event of type E that answers R: a job's or a
// stream's.
type Handler[E, R any] func(context.Context, E) (R, error)

// Event returns a handler that gets its handler from v: while v cannot be
// built, each event fails with the build's error (the Scheduler or the
// stream retries it), which is also logged as one JSON line (NotReady).
func Event[E, R any](v *Value[Handler[E, R]]) Handler[E, R] {
	return func(ctx context.Context, ev E) (R, error) {
		h, err := v.Get(ctx)
		if err != nil {
			NotReady(ctx, err)
			var zero R
			return zero, err
		}
		return h(ctx, ev)
	}
}

// NotReady logs that a function could not build what it needs, as one JSON
// line at level ERROR on stderr (the format of config.Fatal's), with err,
// which names fields, variables and tables but never a secret's value.
func NotReady(ctx context.Context, err error) {
	slog.New(slog.NewJSONHandler(os.Stderr, nil)).ErrorContext(ctx, "not ready", slog.String("error", err.Error()))
}
