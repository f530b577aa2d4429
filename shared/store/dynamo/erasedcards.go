package dynamo

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
)

// The records of the erased cards whose registrations are still to purge:
// ERASED / <YYYY-MM-DD>#<serial>, one partition, written by the erasure's
// transaction and read oldest first by the expiry job. Deletions are rare
// (a handful a day): the partition holds ErasedCardDays of them.
const pkErased = "ERASED"

func erasedCardSK(c store.ErasedCard) string { return c.ErasedOn.String() + "#" + c.Serial }

// erasedCardPut records a member's erasure, in the erasure's transaction.
func (s *Store) erasedCardPut(m loyalty.Member) types.TransactWriteItem {
	item := key(pkErased, erasedCardSK(store.ErasedCard{Serial: m.Serial, ErasedOn: loyalty.DateOf(m.ErasedAt)}))
	item["serial"] = str(m.Serial)
	return types.TransactWriteItem{Put: &types.Put{TableName: &s.table, Item: item}}
}

func (s *Store) ErasedCards(ctx context.Context, through loyalty.Date, limit int) ([]store.ErasedCard, error) {
	out, err := s.db.Query(ctx, &dynamodb.QueryInput{
		TableName:              &s.table,
		KeyConditionExpression: aws.String("PK = :pk AND SK < :after"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": str(pkErased), ":after": str(through.AddDays(1).String()),
		},
		ConsistentRead: aws.Bool(true),
		Limit:          aws.Int32(int32(max(1, limit))),
	})
	if err != nil {
		return nil, fmt.Errorf("query erased cards: %w", err)
	}
	cards := make([]store.ErasedCard, 0, len(out.Items))
	for _, item := range out.Items {
		sk, _ := item["SK"].(*types.AttributeValueMemberS)
		day, serial, ok := strings.Cut(sk.Value, "#")
		on, err := loyalty.ParseDate(day)
		if !ok || err != nil {
			return nil, fmt.Errorf("erased card record %q: not <day>#<serial>", sk.Value)
		}
		cards = append(cards, store.ErasedCard{Serial: serial, ErasedOn: on})
	}
	return cards, nil
}

func (s *Store) ForgetErasedCard(ctx context.Context, c store.ErasedCard) error {
	if _, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.table, Key: key(pkErased, erasedCardSK(c))}); err != nil {
		return fmt.Errorf("forget erased card %s: %w", c.Serial, err)
	}
	return nil
}
