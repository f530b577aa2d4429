package storetest

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// Till and Owner are the actors of the suite's changes: an employee's staff
// key at the Paris store, and the configured admin key.
var (
	Till  = loyalty.Actor{Who: loyalty.WhoStaff, KeyID: "01KEY0000000000000000TILL1", KeyName: "Camille", StoreID: "paris"}
	Owner = loyalty.Actor{Who: loyalty.WhoOperator, KeyID: "admin", KeyName: "configured admin key"}
)

var peopleTests = []struct {
	name string
	fn   func(*env)
}{
	{"staff keys are saved, listed and revoked once, each change audited", testStaffKeys},
	{"operator keys are saved, listed and revoked once, each change audited", testOperatorKeys},
	{"stores are saved, replaced and listed by id", testShops},
	{"the audit trail pages newest first", testAuditPaging},
	{"a change of points by a key is audited in its commit and its entries name the key", testPostingAudited},
}

// trail reads the whole audit trail, newest first.
func (e *env) trail() []loyalty.AuditEntry {
	e.t.Helper()
	var all []loyalty.AuditEntry
	for cursor := ""; ; {
		page, next, err := e.store.Audit(e.ctx, cursor, 2)
		if err != nil {
			e.t.Fatalf("Audit(%q): %v", cursor, err)
		}
		all = append(all, page...)
		if next == "" {
			return all
		}
		cursor = next
	}
}

func actions(entries []loyalty.AuditEntry) []string {
	var out []string
	for _, a := range entries {
		out = append(out, a.Action+" "+a.Target)
	}
	return out
}

func testStaffKeys(e *env) {
	ids := &SeqIDs{}
	k := loyalty.StaffKey{ID: "01KEY0000000000000000TILL1", StoreID: "paris", Name: "Camille", Hash: loyalty.HashSecret("s3cret"), CreatedAt: Start}
	other := loyalty.StaffKey{ID: "01KEY0000000000000000TILL2", StoreID: "lyon", Name: "Noé", Hash: loyalty.HashSecret("other"), CreatedAt: Start}
	for _, sk := range []loyalty.StaffKey{k, other} {
		if err := e.store.SaveStaffKey(e.ctx, sk, loyalty.NewAudit(ids, Start, Owner, "staff-key.create", sk.ID, "")); err != nil {
			e.t.Fatal(err)
		}
	}
	got, err := e.store.StaffKey(e.ctx, k.ID)
	if err != nil || fmt.Sprint(got) != fmt.Sprint(k) {
		e.t.Fatalf("StaffKey() = %+v, %v; want %+v", got, err, k)
	}
	if _, err := e.store.StaffKey(e.ctx, "01KEY000000000000000000000"); !errors.Is(err, loyalty.ErrStaffKeyNotFound) {
		e.t.Fatalf("unknown key: err = %v", err)
	}
	at := Start.Add(time.Hour)
	revoked, err := e.store.RevokeStaffKey(e.ctx, k.ID, loyalty.NewAudit(ids, at, Owner, "staff-key.revoke", k.ID, ""))
	if err != nil || revoked.RevokedAt == nil || !revoked.RevokedAt.Equal(at) {
		e.t.Fatalf("RevokeStaffKey() = %+v, %v; want revoked at %v", revoked, err, at)
	}
	again, err := e.store.RevokeStaffKey(e.ctx, k.ID, loyalty.NewAudit(ids, at.Add(time.Hour), Owner, "staff-key.revoke", k.ID, "again"))
	if err != nil || again.RevokedAt == nil || !again.RevokedAt.Equal(at) {
		e.t.Fatalf("revoking again = %+v, %v; want the first revocation, at %v", again, err, at)
	}
	if read, _ := e.store.StaffKey(e.ctx, k.ID); read.RevokedAt == nil || !read.RevokedAt.Equal(at) {
		e.t.Fatalf("the key read after its revocation = %+v", read)
	}
	if _, err := e.store.RevokeStaffKey(e.ctx, "01KEY000000000000000000000", loyalty.NewAudit(ids, at, Owner, "staff-key.revoke", "x", "")); !errors.Is(err, loyalty.ErrStaffKeyNotFound) {
		e.t.Fatalf("revoking an unknown key: err = %v", err)
	}
	list, err := e.store.StaffKeys(e.ctx)
	if err != nil || len(list) != 2 || list[0].ID != k.ID || list[0].RevokedAt == nil || list[1].ID != other.ID || list[1].RevokedAt != nil {
		e.t.Fatalf("StaffKeys() = %+v, %v; want both keys, the first revoked", list, err)
	}
	want := []string{"staff-key.revoke " + k.ID, "staff-key.create " + other.ID, "staff-key.create " + k.ID}
	if got := actions(e.trail()); !slices.Equal(got, want) {
		e.t.Fatalf("audit trail = %q; want %q (one revocation)", got, want)
	}
}

func testOperatorKeys(e *env) {
	ids := &SeqIDs{}
	k := loyalty.OperatorKey{ID: "01KEY00000000000000ANALYST", Name: "Inès", Role: loyalty.RoleAnalyst, Hash: loyalty.HashSecret("s3cret"), CreatedAt: Start}
	if err := e.store.SaveOperatorKey(e.ctx, k, loyalty.NewAudit(ids, Start, Owner, "operator-key.create", k.ID, "")); err != nil {
		e.t.Fatal(err)
	}
	got, err := e.store.OperatorKey(e.ctx, k.ID)
	if err != nil || fmt.Sprint(got) != fmt.Sprint(k) {
		e.t.Fatalf("OperatorKey() = %+v, %v; want %+v", got, err, k)
	}
	if _, err := e.store.OperatorKey(e.ctx, "01KEY000000000000000000000"); !errors.Is(err, loyalty.ErrOperatorKeyNotFound) {
		e.t.Fatalf("unknown key: err = %v", err)
	}
	first := Start.Add(time.Minute)
	for _, at := range []time.Time{first, first.Add(time.Hour)} {
		revoked, err := e.store.RevokeOperatorKey(e.ctx, k.ID, loyalty.NewAudit(ids, at, Owner, "operator-key.revoke", k.ID, ""))
		if err != nil || revoked.RevokedAt == nil || !revoked.RevokedAt.Equal(first) {
			e.t.Fatalf("RevokeOperatorKey() at %v = %+v, %v; want revoked at %v, the first time", at, revoked, err, first)
		}
	}
	at := first
	if _, err := e.store.RevokeOperatorKey(e.ctx, "01KEY000000000000000000000", loyalty.NewAudit(ids, at, Owner, "operator-key.revoke", "x", "")); !errors.Is(err, loyalty.ErrOperatorKeyNotFound) {
		e.t.Fatalf("revoking an unknown key: err = %v", err)
	}
	list, err := e.store.OperatorKeys(e.ctx)
	if err != nil || len(list) != 1 || list[0].RevokedAt == nil || list[0].Role != loyalty.RoleAnalyst {
		e.t.Fatalf("OperatorKeys() = %+v, %v", list, err)
	}
	want := []string{"operator-key.revoke " + k.ID, "operator-key.create " + k.ID}
	if got := actions(e.trail()); !slices.Equal(got, want) {
		e.t.Fatalf("audit trail = %q; want %q", got, want)
	}
}

func testShops(e *env) {
	ids := &SeqIDs{}
	lat, lon := 48.8566, 2.3522
	paris := loyalty.Shop{ID: "paris", Name: "Paris Rivoli", Address: "1 rue de Rivoli\n75001 Paris", TimeZone: "Europe/Paris", Latitude: &lat, Longitude: &lon, UpdatedAt: Start}
	lyon := loyalty.Shop{ID: "lyon", Name: "Lyon", Address: "Place Bellecour", TimeZone: "Europe/Paris", UpdatedAt: Start}
	for _, s := range []loyalty.Shop{paris, lyon} {
		if err := e.store.SaveShop(e.ctx, s, loyalty.NewAudit(ids, Start, Owner, "store.create", s.ID, "")); err != nil {
			e.t.Fatal(err)
		}
	}
	got, err := e.store.Shop(e.ctx, "paris")
	if err != nil || got.Name != paris.Name || got.Address != paris.Address || *got.Latitude != lat || *got.Longitude != lon || !got.UpdatedAt.Equal(Start) {
		e.t.Fatalf("Shop() = %+v, %v; want %+v", got, err, paris)
	}
	paris.Name = "Paris Opéra"
	if err := e.store.SaveShop(e.ctx, paris, loyalty.NewAudit(ids, Start, Owner, "store.update", "paris", "")); err != nil {
		e.t.Fatal(err)
	}
	list, err := e.store.Shops(e.ctx)
	if err != nil || len(list) != 2 || list[0].ID != "lyon" || list[0].Latitude != nil || list[1].Name != "Paris Opéra" {
		e.t.Fatalf("Shops() = %+v, %v; want lyon, then the renamed paris", list, err)
	}
	if _, err := e.store.Shop(e.ctx, "nice"); !errors.Is(err, loyalty.ErrShopNotFound) {
		e.t.Fatalf("unknown store: err = %v", err)
	}
	if got := len(e.trail()); got != 3 {
		e.t.Fatalf("the trail holds %d entries; want 3, one per save", got)
	}
}

func testAuditPaging(e *env) {
	if entries, next, err := e.store.Audit(e.ctx, "", 10); err != nil || len(entries) != 0 || next != "" {
		e.t.Fatalf("an empty trail: %v, %q, %v", entries, next, err)
	}
	ids := &SeqIDs{}
	var want []string
	for i := range 7 {
		a := loyalty.NewAudit(ids, Start.Add(time.Duration(i)*time.Second), Owner, "program.save", fmt.Sprint("rules-", i), "")
		if err := e.store.RecordAudit(e.ctx, a); err != nil {
			e.t.Fatal(err)
		}
		want = append([]string{a.ID}, want...)
	}
	var got []string
	pages := 0
	for cursor := ""; ; pages++ {
		page, next, err := e.store.Audit(e.ctx, cursor, 3)
		if err != nil {
			e.t.Fatal(err)
		}
		for _, a := range page {
			got = append(got, a.ID)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if !slices.Equal(got, want) || pages != 2 {
		e.t.Fatalf("pages of 3 listed %q in %d pages after the first; want %q in 2", got, pages, want)
	}
}

func testPostingAudited(e *env) {
	m := e.enroll("ada@example.com")
	earned := e.earn(m.ID, "R-1", 5000)
	if earned.Entry.Actor != Till.String() || earned.Entry.KeyID != Till.KeyID || earned.Entry.KeyName != "Camille" || earned.Entry.Ref.StoreID != "paris" {
		e.t.Fatalf("the earning names %q, key %q %q, store %q; want the till's key and store", earned.Entry.Actor, earned.Entry.KeyID, earned.Entry.KeyName, earned.Entry.Ref.StoreID)
	}
	e.earn(m.ID, "R-1", 5000) // a replay: no second entry
	if _, err := e.program.Adjust(e.ctx, loyalty.AdjustRequest{MemberID: m.ID, Points: 5, Note: "goodwill", Actor: Owner, Key: loyalty.IdemKey{Scope: "adjust", Key: "a1"}}); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.redeem(m.ID, 10, "k1"); err != nil {
		e.t.Fatal(err)
	}
	trail := e.trail()
	want := []string{"redeem " + m.ID + "-4", "adjust " + m.ID + "-3", "earn " + m.ID + "-2"}
	if got := actions(trail); !slices.Equal(got, want) {
		e.t.Fatalf("audit trail = %q; want %q (the welcome bonus is the program's, the replay is not a change)", got, want)
	}
	if trail[1].By != Owner || trail[2].By != Till || trail[2].Detail != fmt.Sprintf("%+d points", earned.Entry.Points) {
		e.t.Fatalf("audit entries = %+v", trail)
	}
}
