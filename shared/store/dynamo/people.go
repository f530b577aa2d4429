package dynamo

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
)

// A key is read at each request it authenticates from an item of its own
// (`STAFF#<id>` / `KEY`), so those reads spread over partitions; a copy in one
// partition per kind (`STAFF` / `KEY#<id>`) lists them with one Query. Both are
// written in one transaction.
type keyKind struct{ prefix, list string }

var (
	staffKeys    = keyKind{"STAFF#", "STAFF"}
	operatorKeys = keyKind{"OPERATOR#", "OPERATORS"}
)

const (
	pkShops     = "STORES" // every store in one small partition, like rewards
	shopPrefix  = "STORE#"
	listKeySK   = "KEY#"
	auditPrefix = "AUDIT#"
	// auditShards spreads the trail over partitions: every till's earning
	// adds an entry, written in its transaction (two write units), and one
	// partition takes at most 1,000 write units a second. At 10,000
	// earnings a second, 64 shards take about 313 each (16 took 1,250).
	// Entries written on fewer shards before stay listed: the trail reads
	// every shard.
	auditShards = 64
)

func (k keyKind) pk(id string) string { return k.prefix + id }

func auditPK(id string) string {
	h := fnv.New32a()
	h.Write([]byte(id))
	return fmt.Sprintf("%s%02d", auditPrefix, h.Sum32()%auditShards)
}

func auditItem(e loyalty.AuditEntry) (map[string]types.AttributeValue, error) {
	item, err := marshal(e, auditPK(e.ID), e.ID)
	if err != nil {
		return nil, fmt.Errorf("marshal audit entry: %w", err)
	}
	return item, nil
}

func (s *Store) SaveStaffKey(ctx context.Context, k loyalty.StaffKey, audit loyalty.AuditEntry) error {
	return s.saveKey(ctx, staffKeys, k.ID, k, audit, nil)
}

func (s *Store) StaffKey(ctx context.Context, id string) (loyalty.StaffKey, error) {
	var k loyalty.StaffKey
	return k, s.get(ctx, staffKeys.pk(id), skKey, &k, loyalty.ErrStaffKeyNotFound)
}

func (s *Store) StaffKeys(ctx context.Context) ([]loyalty.StaffKey, error) {
	return listKeys[loyalty.StaffKey](ctx, s, staffKeys)
}

func (s *Store) RevokeStaffKey(ctx context.Context, id string, audit loyalty.AuditEntry) (loyalty.StaffKey, error) {
	return revokeKey(ctx, s, staffKeys, id, audit, s.StaffKey, func(k *loyalty.StaffKey) **time.Time { return &k.RevokedAt })
}

func (s *Store) SaveOperatorKey(ctx context.Context, k loyalty.OperatorKey, audit loyalty.AuditEntry) error {
	return s.saveKey(ctx, operatorKeys, k.ID, k, audit, nil)
}

func (s *Store) OperatorKey(ctx context.Context, id string) (loyalty.OperatorKey, error) {
	var k loyalty.OperatorKey
	return k, s.get(ctx, operatorKeys.pk(id), skKey, &k, loyalty.ErrOperatorKeyNotFound)
}

func (s *Store) OperatorKeys(ctx context.Context) ([]loyalty.OperatorKey, error) {
	return listKeys[loyalty.OperatorKey](ctx, s, operatorKeys)
}

func (s *Store) RevokeOperatorKey(ctx context.Context, id string, audit loyalty.AuditEntry) (loyalty.OperatorKey, error) {
	return revokeKey(ctx, s, operatorKeys, id, audit, s.OperatorKey, func(k *loyalty.OperatorKey) **time.Time { return &k.RevokedAt })
}

// revokeKey reads a key and, unless it is revoked already, writes it revoked
// with its audit entry, on the condition that no one revoked it meanwhile: a
// revocation that lost the race reads the key again and answers the winner's.
func revokeKey[K any](ctx context.Context, s *Store, kind keyKind, id string, audit loyalty.AuditEntry, read func(context.Context, string) (K, error), revokedAt func(*K) **time.Time) (K, error) {
	for range 8 {
		k, err := read(ctx, id)
		if err != nil || *revokedAt(&k) != nil {
			return k, err
		}
		*revokedAt(&k) = &audit.At
		if err := s.saveKey(ctx, kind, id, k, audit, aws.String("attribute_exists(PK) AND attribute_not_exists(revokedAt)")); !raced(err) {
			return k, err
		}
	}
	var none K
	return none, loyalty.ErrBusy
}

// errRaced says a revocation's condition failed: another one won, and the
// key is read again (as after a transaction conflict).
var errRaced = errors.New("the key changed while it was revoked")

func raced(err error) bool {
	return errors.Is(err, errRaced) || errors.Is(err, loyalty.ErrVersionConflict)
}

// saveKey writes a key's own item (on condition, when not nil), its copy in
// the list and its audit entry, all or nothing.
func (s *Store) saveKey(ctx context.Context, kind keyKind, id string, k any, audit loyalty.AuditEntry, condition *string) error {
	own, err := marshal(k, kind.pk(id), skKey)
	if err != nil {
		return fmt.Errorf("marshal key: %w", err)
	}
	listed, err := marshal(k, kind.list, listKeySK+id)
	if err != nil {
		return fmt.Errorf("marshal key: %w", err)
	}
	return s.writeAudited(ctx, audit, []error{errRaced, nil},
		&types.Put{TableName: &s.table, Item: own, ConditionExpression: condition},
		&types.Put{TableName: &s.table, Item: listed})
}

// writeAudited puts items and the audit entry in one transaction; a failed
// condition of items[i] is meanings[i].
func (s *Store) writeAudited(ctx context.Context, audit loyalty.AuditEntry, meanings []error, puts ...*types.Put) error {
	entry, err := auditItem(audit)
	if err != nil {
		return err
	}
	items := []types.TransactWriteItem{}
	for _, p := range puts {
		items = append(items, types.TransactWriteItem{Put: p})
	}
	items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: &s.table, Item: entry}})
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	return transactionError(err, meanings)
}

func listKeys[T any](ctx context.Context, s *Store, kind keyKind) ([]T, error) {
	out, err := queryAll[T](ctx, s, kind.list, listKeySK, true)
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", kind.list, err)
	}
	if out == nil {
		out = []T{}
	}
	return out, nil
}

func (s *Store) SaveShop(ctx context.Context, shop loyalty.Shop, audit loyalty.AuditEntry) error {
	item, err := marshal(shop, pkShops, shopPrefix+shop.ID)
	if err != nil {
		return fmt.Errorf("marshal store: %w", err)
	}
	return s.writeAudited(ctx, audit, nil, &types.Put{TableName: &s.table, Item: item})
}

func (s *Store) Shop(ctx context.Context, id string) (loyalty.Shop, error) {
	var shop loyalty.Shop
	return shop, s.get(ctx, pkShops, shopPrefix+id, &shop, loyalty.ErrShopNotFound)
}

func (s *Store) Shops(ctx context.Context) ([]loyalty.Shop, error) {
	out, err := queryAll[loyalty.Shop](ctx, s, pkShops, shopPrefix, true)
	if err != nil {
		return nil, fmt.Errorf("query stores: %w", err)
	}
	if out == nil {
		out = []loyalty.Shop{}
	}
	return out, nil
}

func (s *Store) RecordAudit(ctx context.Context, e loyalty.AuditEntry) error {
	item, err := auditItem(e)
	if err != nil {
		return err
	}
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: item}); err != nil {
		return fmt.Errorf("put audit entry: %w", err)
	}
	return nil
}

// Audit reads a page from every shard, newest first below the cursor, and
// keeps the newest of them: limit+1 from each tells whether more are left
// (an entry is far below a kilobyte, so no Query stops short at 1 MB).
func (s *Store) Audit(ctx context.Context, cursor string, limit int) ([]loyalty.AuditEntry, string, error) {
	limit = store.PageLimit(limit)
	cond, values := "PK = :pk", map[string]types.AttributeValue{}
	if cursor != "" {
		cond += " AND SK < :cursor"
		values[":cursor"] = str(cursor)
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		all  []loyalty.AuditEntry
		errs []error
	)
	for n := range auditShards {
		wg.Go(func() {
			in := &dynamodb.QueryInput{
				TableName: &s.table, KeyConditionExpression: aws.String(cond),
				ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(fmt.Sprintf("%s%02d", auditPrefix, n))},
				ScanIndexForward:          aws.Bool(false), Limit: aws.Int32(int32(limit + 1)),
			}
			for k, v := range values {
				in.ExpressionAttributeValues[k] = v
			}
			out, err := s.db.Query(ctx, in)
			var page []loyalty.AuditEntry
			if err == nil {
				page = make([]loyalty.AuditEntry, len(out.Items))
				for i, item := range out.Items {
					err = errors.Join(err, unmarshal(item, &page[i]))
				}
			}
			mu.Lock()
			defer mu.Unlock()
			all = append(all, page...)
			if err != nil {
				errs = append(errs, err)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, "", fmt.Errorf("query audit trail: %w", err)
	}
	slices.SortFunc(all, func(a, b loyalty.AuditEntry) int { return strings.Compare(b.ID, a.ID) })
	if len(all) > limit {
		return all[:limit], all[limit-1].ID, nil
	}
	return all, "", nil
}
