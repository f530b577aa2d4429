package dynamo

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
)

// The exports are paged Scans: each page is one Scan call of at most limit
// items read, filtered on the server, and its cursor is the Scan's
// LastEvaluatedKey. Only the admin function may Scan (template.yaml's
// ExportPolicy).

func (s *Store) ExportMembers(ctx context.Context, cursor string, limit int) ([]loyalty.Member, string, error) {
	items, next, err := s.scanPage(ctx, "begins_with(PK, :member) AND SK = :profile",
		map[string]types.AttributeValue{":member": str("MEMBER#"), ":profile": str(skProfile)}, cursor, limit)
	if err != nil {
		return nil, "", fmt.Errorf("export members: %w", err)
	}
	out := make([]loyalty.Member, len(items))
	for i, item := range items {
		if err := unmarshal(item, &out[i]); err != nil {
			return nil, "", err
		}
	}
	return out, next, nil
}

// ExportLedger filters on createdAt, an RFC 3339 time: bounds written as
// days compare exactly ("2026-11-23T…" is at or after "2026-11-23" and
// before "2026-11-24").
func (s *Store) ExportLedger(ctx context.Context, from, to loyalty.Date, cursor string, limit int) ([]loyalty.LedgerEntry, string, error) {
	items, next, err := s.scanPage(ctx, "begins_with(PK, :member) AND begins_with(SK, :tx) AND createdAt >= :from AND createdAt < :to",
		map[string]types.AttributeValue{":member": str("MEMBER#"), ":tx": str("TX#"), ":from": str(from.String()), ":to": str(to.AddDays(1).String())}, cursor, limit)
	if err != nil {
		return nil, "", fmt.Errorf("export ledger: %w", err)
	}
	out := make([]loyalty.LedgerEntry, len(items))
	for i, item := range items {
		if err := unmarshal(item, &out[i]); err != nil {
			return nil, "", err
		}
	}
	return out, next, nil
}

// scanPage is one Scan call from cursor.
func (s *Store) scanPage(ctx context.Context, filter string, values map[string]types.AttributeValue, cursor string, limit int) ([]map[string]types.AttributeValue, string, error) {
	in := &dynamodb.ScanInput{TableName: &s.table, FilterExpression: &filter, ExpressionAttributeValues: values, Limit: aws.Int32(int32(store.PageLimit(limit)))}
	if cursor != "" {
		start, err := scanCursor(cursor)
		if err != nil {
			return nil, "", err
		}
		in.ExclusiveStartKey = start
	}
	out, err := s.db.Scan(ctx, in)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if out.LastEvaluatedKey != nil {
		pk, _ := out.LastEvaluatedKey["PK"].(*types.AttributeValueMemberS)
		sk, _ := out.LastEvaluatedKey["SK"].(*types.AttributeValueMemberS)
		if pk == nil || sk == nil {
			return nil, "", fmt.Errorf("scan ended on a key without PK and SK")
		}
		b, _ := json.Marshal([2]string{pk.Value, sk.Value})
		next = base64.RawURLEncoding.EncodeToString(b)
	}
	return out.Items, next, nil
}

// scanCursor reads a cursor scanPage wrote: the key of the last item the
// Scan read, of any kind.
func scanCursor(cursor string) (map[string]types.AttributeValue, error) {
	invalid := fmt.Errorf("%w: cursor is not one of this export's", loyalty.ErrInvalid)
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	var k [2]string
	if err != nil || len(b) > 2048 || json.Unmarshal(b, &k) != nil || k[0] == "" || k[1] == "" {
		return nil, invalid
	}
	return key(k[0], k[1]), nil
}
