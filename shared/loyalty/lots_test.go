package loyalty

import (
	"fmt"
	"testing"
)

func TestDebitSoonestFirst(t *testing.T) {
	d := func(s string) Date { x, _ := ParseDate(s); return x }
	s := newLotSet([]Lot{{d("2027-12-31"), 100}, {d("2027-11-30"), 50}, {d("2028-01-31"), 100}})
	if taken, _ := s.debit(120, nil); taken != 120 {
		t.Fatalf("took %d of 120", taken)
	}
	want := "[{2027-11-30 0} {2027-12-31 30} {2028-01-31 100}]"
	if got := fmt.Sprint(s.lots); got != want {
		t.Fatalf("lots = %s, want %s", got, want)
	}
	own := d("2028-01-31")
	if taken, _ := s.debit(110, &own); taken != 110 || s.total() != 20 {
		t.Fatalf("debit from own lot first took %d, left %d", taken, s.total())
	}
	if got := fmt.Sprint(s.lots); got != "[{2027-11-30 0} {2027-12-31 20} {2028-01-31 0}]" {
		t.Fatalf("preferring the earning's lot gave %s", got)
	}
}

// FuzzLotDebit checks lot consumption: it takes min(points, total), never
// leaves a lot negative, conserves points, and never spends a later lot while
// an earlier one (other than the preferred one) still holds points.
func FuzzLotDebit(f *testing.F) {
	f.Add([]byte{10, 20, 30}, int64(25), uint8(255))
	f.Add([]byte{1, 0, 200, 7}, int64(500), uint8(2))
	f.Add([]byte{}, int64(1), uint8(0))
	f.Fuzz(func(t *testing.T, sizes []byte, points int64, prefer uint8) {
		if points <= 0 || len(sizes) > 24 {
			return
		}
		start := Date{2027, 1, 31}
		var lots []Lot
		for i, n := range sizes {
			lots = append(lots, Lot{ExpiresOn: start.EndOfMonthAfter(i), Remaining: int64(n)})
		}
		s := newLotSet(lots)
		before := s.total()
		var first *Date
		if int(prefer) < len(lots) {
			first = &lots[prefer].ExpiresOn
		}
		taken, _ := s.debit(points, first)
		if taken != min(points, before) || s.total() != before-taken {
			t.Fatalf("took %d of %d from %d, left %d", taken, points, before, s.total())
		}
		spentLater := false
		for i := len(s.lots) - 1; i >= 0; i-- {
			l := s.lots[i]
			if l.Remaining < 0 {
				t.Fatalf("lot %s went negative", l.ExpiresOn)
			}
			if first != nil && l.ExpiresOn == *first {
				continue
			}
			if l.Remaining > 0 && spentLater {
				t.Fatalf("a later lot was spent while %s still holds %d: %v", l.ExpiresOn, l.Remaining, s.lots)
			}
			if l.Remaining < int64(sizes[i]) {
				spentLater = true
			}
		}
	})
}
