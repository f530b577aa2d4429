package storetest

import (
	"errors"
	"sync"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// credentialTests check the re-issue of a member's token and code.
var credentialTests = []struct {
	name string
	fn   func(*env)
}{
	{"a re-issue replaces the token and the code and moves the card", testReissue},
	{"a re-issue answers its replays, even concurrent ones, with the same token", testReissueReplay},
}

func (e *env) reissue(memberID, caller, key string) (loyalty.Credentials, error) {
	return e.program.Reissue(e.ctx, loyalty.ReissueRequest{MemberID: memberID, Caller: caller, Key: loyalty.IdemKey{Scope: "credentials/" + memberID, Key: key}})
}

func testReissue(e *env) {
	m := e.enroll("lost-phone@example.com")
	e.earn(m.ID, "r1", 1000)
	before := e.account(m.ID).Member
	e.clock.Set(Start.Add(time.Minute))
	cred, err := e.reissue(m.ID, "member", "new-phone")
	if err != nil {
		e.t.Fatal(err)
	}
	after := e.account(m.ID).Member
	if !loyalty.SecretMatches(cred.Token, after.TokenHash) || after.TokenHash == before.TokenHash {
		e.t.Fatalf("the stored token hash is not the new token's")
	}
	if after.CodeGeneration != before.CodeGeneration+1 || !after.CardUpdatedAt.After(before.CardUpdatedAt) || after.Version != before.Version+1 {
		e.t.Fatalf("after a re-issue: generation %d, card changed %v, version %d; want %d, after %v, %d",
			after.CodeGeneration, after.CardUpdatedAt, after.Version, before.CodeGeneration+1, before.CardUpdatedAt, before.Version+1)
	}
	if after.Balance != before.Balance || after.LedgerSeq != before.LedgerSeq || len(e.ledger(m.ID)) != 2 {
		e.t.Fatalf("a re-issue moved points: balance %d, ledger seq %d", after.Balance, after.LedgerSeq)
	}
	again, err := e.reissue(m.ID, "member", "leaked-again")
	if err != nil || again.Token == cred.Token || e.account(m.ID).Member.CodeGeneration != 2 {
		e.t.Fatalf("a second re-issue with another key = %v; want another token and generation 2", err)
	}
	if _, err := e.program.Reissue(e.ctx, loyalty.ReissueRequest{MemberID: m.ID, Caller: "member"}); !errors.Is(err, loyalty.ErrInvalid) {
		e.t.Fatalf("a re-issue without a key: err = %v, want ErrInvalid", err)
	}
	if _, err := e.reissue("01KAAAAAAAAAAAAAAAAAAAAAAA", "admin", "k"); !errors.Is(err, loyalty.ErrMemberNotFound) {
		e.t.Fatalf("a re-issue of no member: err = %v, want ErrMemberNotFound", err)
	}
}

func testReissueReplay(e *env) {
	m := e.enroll("replayed-token@example.com")
	const n = 8
	creds := make([]loyalty.Credentials, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			var err error
			if creds[i], err = e.reissue(m.ID, "member", "lost"); err != nil {
				e.t.Errorf("re-issue %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	replays := 0
	for _, c := range creds {
		if c.Token != creds[0].Token {
			e.t.Fatalf("concurrent duplicates got tokens %q and %q; every one must get the first", creds[0].Token, c.Token)
		}
		if c.Replayed {
			replays++
		}
	}
	if replays != n-1 || e.account(m.ID).Member.CodeGeneration != 1 {
		e.t.Fatalf("%d of %d answered as replays, generation %d; want %d and 1", replays, n, e.account(m.ID).Member.CodeGeneration, n-1)
	}
	if got, found, err := e.program.ReplayReissue(e.ctx, loyalty.ReissueRequest{MemberID: m.ID, Caller: "member", Key: loyalty.IdemKey{Scope: "credentials/" + m.ID, Key: "lost"}}); err != nil || !found || got.Token != creds[0].Token {
		e.t.Fatalf("replay alone = found %v, %v; want the first token", found, err)
	}
	if _, found, err := e.program.ReplayReissue(e.ctx, loyalty.ReissueRequest{MemberID: m.ID, Caller: "someone else", Key: loyalty.IdemKey{Scope: "credentials/" + m.ID, Key: "lost"}}); err != nil || found {
		e.t.Fatalf("replay by another caller = found %v, %v; want nothing", found, err)
	}
	if _, err := e.reissue(m.ID, "someone else", "lost"); !errors.Is(err, loyalty.ErrIdempotencyMismatch) {
		e.t.Fatalf("the key reused by another caller: err = %v, want ErrIdempotencyMismatch", err)
	}
}
