package lazy_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/fidelio/fidelio/shared/lazy"
)

func TestAValueIsBuiltOnceAndAFailedBuildIsTriedAgain(t *testing.T) {
	builds := 0
	fail := true
	v := lazy.New(func(context.Context) (int, error) {
		builds++
		if fail {
			return 0, errors.New("table missing")
		}
		return 42, nil
	})
	if builds != 0 {
		t.Fatal("built before its first use")
	}
	if _, err := v.Get(context.Background()); err == nil {
		t.Fatal("the failed build answered")
	}
	fail = false
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got, err := v.Get(context.Background()); got != 42 || err != nil {
				t.Errorf("%d, %v", got, err)
			}
		}()
	}
	wg.Wait()
	if builds != 2 {
		t.Errorf("%d builds, want 2: one failed, one kept", builds)
	}
}

func TestAnEventFailsWhileItsHandlerCannotBeBuilt(t *testing.T) {
	ready := false
	v := lazy.New(func(context.Context) (lazy.Handler[string, string], error) {
		if !ready {
			return nil, errors.New("dynamo: table \"x\" does not exist")
		}
		return func(_ context.Context, ev string) (string, error) { return "did " + ev, nil }, nil
	})
	h := lazy.Event(v)
	if _, err := h(context.Background(), "expiry"); err == nil || err.Error() != `dynamo: table "x" does not exist` {
		t.Fatalf("%v", err)
	}
	ready = true
	if got, err := h(context.Background(), "expiry"); got != "did expiry" || err != nil {
		t.Fatalf("%q, %v", got, err)
	}
}
