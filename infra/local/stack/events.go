package stack

import (
	"context"
	"log/slog"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/publish"
	"github.com/fidelio/fidelio/shared/store"
)

// newPublisher delivers the program's events to the operator's webhooks, as
// the event publisher function does in AWS (there is no EventBridge here);
// a webhook may be on this machine.
func newPublisher(s store.Store, logger *slog.Logger) *publish.Publisher {
	return &publish.Publisher{Ledger: s, Hooks: publish.NewHooks(s, logger, true), Logger: logger}
}

// changed hands a committed change of a member to what the stream feeds in
// AWS: the pass updater, then the event publisher. A failure hands the
// change to both again; neither does twice what it did.
func (st *Stack) changed(ctx context.Context, before *loyalty.Member, after loyalty.Member) error {
	if err := st.updater.Changed(ctx, before, after); err != nil {
		return err
	}
	return st.publisher.Changed(ctx, before, after)
}
