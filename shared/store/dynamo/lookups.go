package dynamo

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
)

// The lookup items of member search (schema version 2), each with the
// member's id: NUMBER#<number> / MEMBER#<id>, and NAME#<first character of
// the key> / <name key>#<id>, so that a name prefix is one Query in one
// partition, a partition per first letter.
func numberPK(n string) string { return "NUMBER#" + n }

// referralPK is the key of a referral code's lookup item: REFERRAL#<code> /
// MEMBER#<id>.
func referralPK(code string) string { return "REFERRAL#" + code }

func namePK(key string) string {
	r, _ := utf8.DecodeRuneInString(key)
	return "NAME#" + string(r)
}

func lookupItems(m loyalty.Member) []map[string]types.AttributeValue {
	var items []map[string]types.AttributeValue
	add := func(pk, sk string) {
		item := key(pk, sk)
		item["memberId"] = str(m.ID)
		items = append(items, item)
	}
	if n := m.NumberKey(); n != "" {
		add(numberPK(n), memberPK(m.ID))
	}
	if m.ErasedAt.IsZero() {
		add(referralPK(m.ReferralCode()), memberPK(m.ID))
	}
	for _, k := range store.NameKeys(m.Name) {
		add(namePK(k), k+"#"+m.ID)
	}
	return items
}

type lookupWrite struct {
	item    types.TransactWriteItem
	meaning error
}

// movedLookups are the writes that follow a member's change of name or
// email: the lookup items of the old name out and the new one's in, the old
// email's claim released and the new one's taken, on the condition that no
// one holds it (a claim of the member's own, a hand-made posting's, is
// theirs to keep); and an erasure's: the referral code's item out, and the
// card recorded for the purge of its registrations (store.ErasedCards).
func (s *Store) movedLookups(p loyalty.Posting) []lookupWrite {
	var out []lookupWrite
	m := p.Member
	if p.Erases {
		out = append(out, lookupWrite{types.TransactWriteItem{Delete: &types.Delete{TableName: &s.table, Key: key(referralPK(m.ReferralCode()), memberPK(m.ID))}}, nil},
			lookupWrite{s.erasedCardPut(m), nil})
	}
	if m.Name != p.PrevName {
		gone, added := store.NameKeysMoved(p.PrevName, m.Name)
		for _, k := range gone {
			out = append(out, lookupWrite{types.TransactWriteItem{Delete: &types.Delete{TableName: &s.table, Key: key(namePK(k), k+"#"+m.ID)}}, nil})
		}
		for _, k := range added {
			item := key(namePK(k), k+"#"+m.ID)
			item["memberId"] = str(m.ID)
			out = append(out, lookupWrite{types.TransactWriteItem{Put: &types.Put{TableName: &s.table, Item: item}}, nil})
		}
	}
	if loyalty.NormalizeEmail(m.Email) != loyalty.NormalizeEmail(p.PrevEmail) {
		if p.PrevEmail != "" {
			out = append(out, lookupWrite{types.TransactWriteItem{Delete: &types.Delete{TableName: &s.table, Key: key(emailPK(p.PrevEmail), skEmail)}}, nil})
		}
		if m.Email != "" {
			claim := key(emailPK(m.Email), skEmail)
			claim["memberId"] = str(m.ID)
			out = append(out, lookupWrite{types.TransactWriteItem{Put: &types.Put{TableName: &s.table, Item: claim,
				ConditionExpression:       aws.String("attribute_not_exists(PK) OR memberId = :id"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":id": str(m.ID)},
			}}, loyalty.ErrEmailTaken})
		}
	}
	return out
}

func (s *Store) AddMemberLookups(ctx context.Context, memberID string, dryRun bool) (int, error) {
	m, err := s.Member(ctx, memberID)
	if err != nil {
		return 0, err
	}
	var missing []types.TransactWriteItem
	for _, item := range lookupItems(m) {
		out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: key(item["PK"].(*types.AttributeValueMemberS).Value, item["SK"].(*types.AttributeValueMemberS).Value), ProjectionExpression: aws.String("PK"), ConsistentRead: aws.Bool(true)})
		if err != nil {
			return 0, fmt.Errorf("read lookup item of %s: %w", m.ID, err)
		}
		if out.Item == nil {
			missing = append(missing, types.TransactWriteItem{Put: &types.Put{TableName: &s.table, Item: item}})
		}
	}
	if dryRun || len(missing) == 0 {
		return len(missing), nil
	}
	// A member's name and id never change: the items derived from the
	// member read are the member's for good, and need no condition on it.
	if _, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: missing}); err != nil {
		return 0, fmt.Errorf("write lookup items of %s: %w", m.ID, err)
	}
	return len(missing), nil
}

func (s *Store) MemberByEmail(ctx context.Context, email string) (loyalty.Member, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: key(emailPK(email), skEmail), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return loyalty.Member{}, fmt.Errorf("read email claim: %w", err)
	}
	id, ok := out.Item["memberId"].(*types.AttributeValueMemberS)
	if !ok {
		return loyalty.Member{}, loyalty.ErrMemberNotFound
	}
	return s.Member(ctx, id.Value)
}

func (s *Store) MembersByNumber(ctx context.Context, number string) ([]loyalty.Member, error) {
	out, err := s.db.Query(ctx, &dynamodb.QueryInput{
		TableName:                 &s.table,
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(numberPK(number))},
		ConsistentRead:            aws.Bool(true),
		Limit:                     aws.Int32(10),
	})
	if err != nil {
		return nil, fmt.Errorf("query number %s: %w", number, err)
	}
	return s.membersOf(ctx, out.Items)
}

func (s *Store) MembersByReferralCode(ctx context.Context, code string) ([]loyalty.Member, error) {
	out, err := s.db.Query(ctx, &dynamodb.QueryInput{
		TableName:                 &s.table,
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(referralPK(code))},
		ConsistentRead:            aws.Bool(true),
		Limit:                     aws.Int32(10),
	})
	if err != nil {
		return nil, fmt.Errorf("query referral code %s: %w", code, err)
	}
	return s.membersOf(ctx, out.Items)
}

func (s *Store) MembersByName(ctx context.Context, prefix, cursor string, limit int) ([]loyalty.Member, string, error) {
	in := &dynamodb.QueryInput{
		TableName:                 &s.table,
		KeyConditionExpression:    aws.String("PK = :pk AND begins_with(SK, :prefix)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(namePK(prefix)), ":prefix": str(prefix)},
		ConsistentRead:            aws.Bool(true),
		Limit:                     aws.Int32(int32(min(store.PageLimit(limit), 1000))),
	}
	if cursor != "" {
		in.ExclusiveStartKey = key(namePK(prefix), cursor)
	}
	out, err := s.db.Query(ctx, in)
	if err != nil {
		return nil, "", fmt.Errorf("query names %q: %w", prefix, err)
	}
	members, err := s.membersOf(ctx, out.Items)
	next := ""
	if sk, ok := out.LastEvaluatedKey["SK"].(*types.AttributeValueMemberS); ok {
		next = sk.Value
	}
	return members, next, err
}

// membersOf reads the members that lookup items name, each once.
func (s *Store) membersOf(ctx context.Context, items []map[string]types.AttributeValue) ([]loyalty.Member, error) {
	var out []loyalty.Member
	seen := map[string]bool{}
	for _, item := range items {
		id, ok := item["memberId"].(*types.AttributeValueMemberS)
		if !ok || seen[id.Value] {
			continue
		}
		seen[id.Value] = true
		m, err := s.Member(ctx, id.Value)
		if err != nil {
			return nil, fmt.Errorf("a lookup item names member %s: %w", id.Value, err)
		}
		out = append(out, m)
	}
	return out, nil
}
