// Package loyalty is the domain of Fidelio: members, the points ledger, point
// lots, tiers, the program's rules, and donations of points to charities.
//
// It holds no AWS, HTTP or storage code. Time and randomness come in through
// Clock and IDs so that every rule can be tested at any date, and storage is
// reached through the Book port that the store package's implementations
// satisfy.
//
// Every change of balance is computed here as a Posting — the member's new
// state, the ledger entries, the lots touched, the idempotency record and, for
// a gift, what it adds to its charity's totals — and handed to Book.Commit,
// which must write it all or nothing.
package loyalty
