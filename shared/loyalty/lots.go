package loyalty

import "slices"

// Lot is the part of a balance that expires on one day. Every credit adds to
// the lot of its expiry day, and since expiry is the end of a month, a member
// has at most one lot per month: an account stays small however often the
// member shops.
type Lot struct {
	ExpiresOn Date  `json:"expiresOn"`
	Remaining int64 `json:"remaining"`
}

// lotSet is an account's lots, kept sorted soonest expiry first, with the lots
// a change touched remembered so that only those are written.
type lotSet struct {
	lots    []Lot
	touched map[Date]bool
}

func newLotSet(lots []Lot) *lotSet {
	s := &lotSet{lots: slices.Clone(lots), touched: map[Date]bool{}}
	slices.SortFunc(s.lots, func(a, b Lot) int { return a.ExpiresOn.Time().Compare(b.ExpiresOn.Time()) })
	return s
}

// credit adds points to the lot that expires on day.
func (s *lotSet) credit(day Date, points int64) {
	s.touched[day] = true
	for i := range s.lots {
		if s.lots[i].ExpiresOn == day {
			s.lots[i].Remaining += points
			return
		}
	}
	s.lots = append(s.lots, Lot{ExpiresOn: day, Remaining: points})
	slices.SortFunc(s.lots, func(a, b Lot) int { return a.ExpiresOn.Time().Compare(b.ExpiresOn.Time()) })
}

// debit takes up to points, from the lot expiring on first (when it has any)
// and then from the lots that expire soonest. It returns how much it took,
// and from which lots (Remaining being what it took from each).
func (s *lotSet) debit(points int64, first *Date) (int64, []Lot) {
	taken := int64(0)
	var from []Lot
	take := func(i int) {
		n := min(s.lots[i].Remaining, points-taken)
		if n > 0 {
			s.lots[i].Remaining -= n
			taken += n
			s.touched[s.lots[i].ExpiresOn] = true
			from = append(from, Lot{ExpiresOn: s.lots[i].ExpiresOn, Remaining: n})
		}
	}
	if first != nil {
		for i := range s.lots {
			if s.lots[i].ExpiresOn == *first {
				take(i)
			}
		}
	}
	for i := range s.lots {
		if taken == points {
			break
		}
		take(i)
	}
	return taken, from
}

// changed returns the touched lots; a lot with nothing left is returned with
// Remaining 0, which tells the Book to delete it.
func (s *lotSet) changed() []Lot {
	var out []Lot
	for _, l := range s.lots {
		if s.touched[l.ExpiresOn] {
			out = append(out, l)
		}
	}
	return out
}

// total is the sum of what is left in every lot.
func (s *lotSet) total() int64 {
	var sum int64
	for _, l := range s.lots {
		sum += l.Remaining
	}
	return sum
}
