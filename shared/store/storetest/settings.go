package storetest

import (
	"errors"
	"fmt"
	"sync"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// settingsTests check what the operator's console changes: the rules, one
// at a time, the rewards and the members' blocks.
var settingsTests = []struct {
	name string
	fn   func(*env)
}{
	{"a save of rules read at an older version is refused and changes nothing", testRulesStale},
	{"concurrent changes of different rules all land", testRulesConcurrent},
}

func testRulesStale(e *env) {
	read, err := e.store.Rules(e.ctx)
	if err != nil || read.Version != 0 {
		e.t.Fatalf("rules of a new program: version %d, %v; want 0", read.Version, err)
	}
	first := read
	first.WelcomeBonus = 10
	if _, err := e.store.SaveRules(e.ctx, first); err != nil {
		e.t.Fatalf("first save: %v", err)
	}
	stale := read
	stale.BirthdayBonus = 7
	if _, err := e.store.SaveRules(e.ctx, stale); !errors.Is(err, loyalty.ErrVersionConflict) {
		e.t.Fatalf("a save from version 0 after another: err = %v, want ErrVersionConflict", err)
	}
	got, err := e.store.Rules(e.ctx)
	if err != nil || got.Version != 1 || got.WelcomeBonus != 10 || got.BirthdayBonus != loyalty.DefaultRules().BirthdayBonus {
		e.t.Fatalf("rules after a refused stale save = version %d welcome %d birthday %d, %v; want version 1, 10, the default", got.Version, got.WelcomeBonus, got.BirthdayBonus, err)
	}
}

// testRulesConcurrent has operators change a different rule each at once:
// with saves conditioned on the version read, every change lands.
func testRulesConcurrent(e *env) {
	const operators = 8
	var wg sync.WaitGroup
	errs := make([]error, operators)
	for i := range operators {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = e.program.ChangeRules(e.ctx, func(r loyalty.Rules) (loyalty.Rules, error) {
				switch i % 4 {
				case 0:
					r.WelcomeBonus += 1
				case 1:
					r.BirthdayBonus += 1
				case 2:
					r.ExpiryMonths += 1
				case 3:
					r.Terms.EN += fmt.Sprint(i)
				}
				return r, nil
			})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			e.t.Fatalf("operator %d: %v", i, err)
		}
	}
	d := loyalty.DefaultRules()
	got, err := e.store.Rules(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	if got.Version != operators || got.WelcomeBonus != d.WelcomeBonus+2 || got.BirthdayBonus != d.BirthdayBonus+2 || got.ExpiryMonths != d.ExpiryMonths+2 || len(got.Terms.EN) != 2 {
		e.t.Fatalf("after %d concurrent changes: version %d, welcome %d, birthday %d, expiry %d, terms %q; want every change kept",
			operators, got.Version, got.WelcomeBonus, got.BirthdayBonus, got.ExpiryMonths, got.Terms.EN)
	}
}
