package loyalty

import (
	"context"
	"fmt"
)

// ChangeRules applies change to the rules as they are now and saves the
// result, validated as a whole. The save is conditioned on the version read,
// and a save that lost a race is decided again on the rules that won it, so
// concurrent changes of different rules all land. It returns the rules saved.
func (p *Program) ChangeRules(ctx context.Context, change func(Rules) (Rules, error)) (Rules, error) {
	return untilCommitted(ctx, func() (Rules, error) {
		current, err := p.book.Rules(ctx)
		if err != nil {
			return Rules{}, fmt.Errorf("read rules: %w", err)
		}
		next, err := change(current)
		if err != nil {
			return Rules{}, err
		}
		next.Version = current.Version
		if err := next.Validate(); err != nil {
			return Rules{}, err
		}
		next, _ = next.cleanTexts()
		if next.Version, err = p.book.SaveRules(ctx, next); err != nil {
			return Rules{}, err
		}
		p.rules.Saved(next)
		return next, nil
	})
}
