package embedded

import (
	"bytes"
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
)

// bucketErasedCards holds the records of the erased cards whose
// registrations are still to purge, "<YYYY-MM-DD>/<serial>" with no value,
// written by the erasure's transaction, in the order of their days.
var bucketErasedCards = []byte("erased-cards")

func erasedCardKey(c store.ErasedCard) []byte { return dayKey(c.ErasedOn, c.Serial) }

// recordErasedCard records a member's erasure, in the erasure's transaction.
func recordErasedCard(tx *bolt.Tx, m loyalty.Member) error {
	b, err := tx.CreateBucketIfNotExists(bucketErasedCards)
	if err != nil {
		return err
	}
	return b.Put(erasedCardKey(store.ErasedCard{Serial: m.Serial, ErasedOn: loyalty.DateOf(m.ErasedAt)}), []byte{})
}

func (s *Store) ErasedCards(ctx context.Context, through loyalty.Date, limit int) ([]store.ErasedCard, error) {
	var cards []store.ErasedCard
	after := []byte(through.AddDays(1).String())
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketErasedCards)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, _ := c.First(); k != nil && bytes.Compare(k, after) < 0 && len(cards) < max(1, limit); k, _ = c.Next() {
			day, serial, ok := bytes.Cut(k, []byte("/"))
			on, err := loyalty.ParseDate(string(day))
			if !ok || err != nil {
				return fmt.Errorf("erased card record %q: not <day>/<serial>", k)
			}
			cards = append(cards, store.ErasedCard{Serial: string(serial), ErasedOn: on})
		}
		return nil
	})
	return cards, err
}

func (s *Store) ForgetErasedCard(ctx context.Context, c store.ErasedCard) error {
	return s.update(nil, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketErasedCards)
		if b == nil {
			return nil
		}
		return b.Delete(erasedCardKey(c))
	})
}
