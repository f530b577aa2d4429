// Package dynamo is the Store on Amazon DynamoDB: the single table of
// docs/architecture.md, every change of balance one TransactWriteItems. It is
// the only package that imports the DynamoDB SDK.
package dynamo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
)

var _ store.Store = (*Store)(nil)

// Store is a store.Store on one DynamoDB table.
type Store struct {
	db    *dynamodb.Client
	table string
}

// New returns a Store on table through db. Its first call reads the
// table's schema version, and every call fails with store.ErrSchemaTooNew
// when a later build upgraded the table.
func New(db *dynamodb.Client, table string) *Store {
	return &Store{db: gated(db, table), table: table}
}

// Close releases nothing: the SDK client holds no resource that needs it.
func (s *Store) Close() error { return nil }

// Keys of the single table.
const (
	skProfile = "PROFILE"
	skIdem    = "IDEM"
	skEmail   = "EMAIL"
	pkProgram = "PROGRAM"
	skRules   = "RULES"
	skLogo    = "LOGO"
	pkRewards = "REWARDS" // every reward in one small partition, so listing is a Query
	skKey     = "KEY"
)

// skLogoVersion is a small item beside the logo, so that checking for a new
// logo costs one read unit rather than the logo's size.
const skLogoVersion = "LOGO#VERSION"

func rewardSK(id string) string { return "REWARD#" + id }

// The sparse indexes' partition keys.
const dueTierReview = "tier-review"

func birthdayKey(md loyalty.MonthDay) string    { return "BDAY#" + md.String() }
func dueKey(d loyalty.Date, kind string) string { return "DUE#" + d.String() + "#" + kind }

func memberPK(id string) string     { return "MEMBER#" + id }
func txSK(seq int64) string         { return fmt.Sprintf("TX#%020d", seq) }
func lotSK(d loyalty.Date) string   { return "LOT#" + d.String() }
func reversalSK(seq int64) string   { return fmt.Sprintf("REV#%020d", seq) }
func idemPK(scope, h string) string { return "IDEM#" + scope + "#" + h }
func emailPK(email string) string {
	return "EMAIL#" + loyalty.HashSecret(loyalty.NormalizeEmail(email))
}

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"PK": str(pk), "SK": str(sk)}
}

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }
func num(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

// optionalNumber reads a number attribute of item, 0 when it has none.
func optionalNumber(item map[string]types.AttributeValue, name string) (int64, error) {
	v, ok := item[name]
	if !ok {
		return 0, nil
	}
	n, ok := v.(*types.AttributeValueMemberN)
	if !ok {
		return 0, fmt.Errorf("%s is not a number", name)
	}
	return strconv.ParseInt(n.Value, 10, 64)
}

// Items reuse the domain types' JSON names, and dates and times are written
// as text, so an item reads like the API's JSON.
func marshal(v any, pk, sk string) (map[string]types.AttributeValue, error) {
	item, err := attributevalue.MarshalMapWithOptions(v, func(o *attributevalue.EncoderOptions) {
		o.TagKey = "json"
		o.UseEncodingMarshalers = true
	})
	if err != nil {
		return nil, err
	}
	dropZeros(reflect.ValueOf(v), item)
	item["PK"], item["SK"] = str(pk), str(sk)
	return item, nil
}

func unmarshal(item map[string]types.AttributeValue, v any) error {
	return attributevalue.UnmarshalMapWithOptions(item, v, func(o *attributevalue.DecoderOptions) {
		o.TagKey = "json"
		o.UseEncodingUnmarshalers = true
	})
}

func (s *Store) Member(ctx context.Context, id string) (loyalty.Member, error) {
	var m loyalty.Member
	return m, s.get(ctx, memberPK(id), skProfile, &m, loyalty.ErrMemberNotFound)
}

// LoadAccount reads the member, then its lots. The two reads are not one
// snapshot: a commit landing between them shows as lots that do not add up to
// the balance, and the account is read again. (A torn read that did add up
// would still fail at commit, on the member's version.)
func (s *Store) LoadAccount(ctx context.Context, id string) (loyalty.Account, error) {
	for range 8 {
		m, err := s.Member(ctx, id)
		if err != nil {
			return loyalty.Account{}, err
		}
		lots, err := s.lots(ctx, id)
		if err != nil {
			return loyalty.Account{}, err
		}
		var sum int64
		for _, l := range lots {
			sum += l.Remaining
		}
		if sum == m.Balance {
			return loyalty.Account{Member: m, Lots: lots}, nil
		}
	}
	return loyalty.Account{}, loyalty.ErrVersionConflict
}

func (s *Store) lots(ctx context.Context, id string) ([]loyalty.Lot, error) {
	lots, err := queryAll[loyalty.Lot](ctx, s, memberPK(id), "LOT#", true)
	if err != nil {
		return nil, fmt.Errorf("query lots: %w", err)
	}
	return lots, nil
}

func (s *Store) Entry(ctx context.Context, tx loyalty.TxID) (loyalty.LedgerEntry, error) {
	var e loyalty.LedgerEntry
	return e, s.get(ctx, memberPK(tx.MemberID), txSK(tx.Seq), &e, loyalty.ErrEntryNotFound)
}

// Reversed reads the entry's reversals item; one without a count was
// written before refunds could be partial.
func (s *Store) Reversed(ctx context.Context, tx loyalty.TxID) (loyalty.Reversed, bool, error) {
	var r loyalty.Reversed
	err := s.get(ctx, memberPK(tx.MemberID), reversalSK(tx.Seq), &r, loyalty.ErrEntryNotFound)
	if errors.Is(err, loyalty.ErrEntryNotFound) {
		return r, false, nil
	}
	return r, err == nil, err
}

func (s *Store) Ledger(ctx context.Context, memberID string, before int64, limit int) ([]loyalty.LedgerEntry, error) {
	upper := txSK(1<<62 - 1)
	if before == 1 {
		return nil, nil
	}
	if before > 1 {
		upper = txSK(before - 1)
	}
	out, err := s.db.Query(ctx, &dynamodb.QueryInput{
		TableName:              &s.table,
		KeyConditionExpression: aws.String("PK = :pk AND SK BETWEEN :lo AND :hi"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": str(memberPK(memberID)), ":lo": str(txSK(1)), ":hi": str(upper),
		},
		ScanIndexForward: aws.Bool(false),
		Limit:            aws.Int32(int32(limit)),
		ConsistentRead:   aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("query ledger: %w", err)
	}
	entries := make([]loyalty.LedgerEntry, len(out.Items))
	for i, item := range out.Items {
		if err := unmarshal(item, &entries[i]); err != nil {
			return nil, err
		}
	}
	return entries, nil
}

func (s *Store) Idempotency(ctx context.Context, scope, keyHash string) (loyalty.IdempotencyRecord, bool, error) {
	var rec loyalty.IdempotencyRecord
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: key(idemPK(scope, keyHash), skIdem), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return rec, false, fmt.Errorf("get idempotency record: %w", err)
	}
	if out.Item == nil {
		return rec, false, nil
	}
	return rec, true, unmarshal(out.Item, &rec)
}

func (s *Store) Rules(ctx context.Context) (loyalty.Rules, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: key(pkProgram, skRules), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return loyalty.Rules{}, fmt.Errorf("get rules: %w", err)
	}
	if out.Item == nil {
		return loyalty.DefaultRules(), nil
	}
	return rulesOf(out.Item)
}

// rulesOf reads the rules from their item.
func rulesOf(item map[string]types.AttributeValue) (loyalty.Rules, error) {
	rules := loyalty.DefaultRules()
	data, ok := item["data"].(*types.AttributeValueMemberS)
	if !ok {
		return rules, fmt.Errorf("rules item has no data")
	}
	if err := json.Unmarshal([]byte(data.Value), &rules); err != nil {
		return rules, fmt.Errorf("rules item: %w", err)
	}
	// Rules saved before they had versions have none: version 0.
	var err error
	if rules.Version, err = optionalNumber(item, "version"); err != nil {
		return rules, fmt.Errorf("rules item: %w", err)
	}
	return rules, nil
}

// SaveRules writes the rules and adds one to their version in one update, so
// that a version always names the rules it was saved with, on the condition
// that the version is still the one the rules were read at (rules saved
// before versions existed hold none, which counts as 0).
func (s *Store) SaveRules(ctx context.Context, rules loyalty.Rules) (int64, error) {
	data, err := json.Marshal(rules)
	if err != nil {
		return 0, err
	}
	cond := "#version = :read"
	if rules.Version == 0 {
		cond = "attribute_not_exists(#version) OR #version = :read"
	}
	out, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &s.table,
		Key:                       key(pkProgram, skRules),
		UpdateExpression:          aws.String("SET #data = :data ADD #version :one"),
		ConditionExpression:       &cond,
		ExpressionAttributeNames:  map[string]string{"#data": "data", "#version": "version"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":data": str(string(data)), ":one": num(1), ":read": num(rules.Version)},
		ReturnValues:              types.ReturnValueUpdatedNew,
	})
	var failed *types.ConditionalCheckFailedException
	if errors.As(err, &failed) {
		return 0, loyalty.ErrVersionConflict
	}
	if err != nil {
		return 0, fmt.Errorf("save rules: %w", err)
	}
	return optionalNumber(out.Attributes, "version")
}

func (s *Store) SaveLogo(ctx context.Context, png []byte) error {
	logo := key(pkProgram, skLogo)
	logo["png"] = &types.AttributeValueMemberB{Value: png}
	version := key(pkProgram, skLogoVersion)
	version["version"] = str(store.LogoVersion(png))
	_, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: &s.table, Item: logo}},
		{Put: &types.Put{TableName: &s.table, Item: version}},
	}})
	if err != nil {
		return fmt.Errorf("save logo: %w", err)
	}
	return nil
}

func (s *Store) LogoVersion(ctx context.Context) (string, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: key(pkProgram, skLogoVersion), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return "", fmt.Errorf("read logo version: %w", err)
	}
	version, _ := out.Item["version"].(*types.AttributeValueMemberS)
	if version == nil {
		return "", nil
	}
	return version.Value, nil
}

func (s *Store) Logo(ctx context.Context) ([]byte, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: key(pkProgram, skLogo), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("read logo: %w", err)
	}
	png, _ := out.Item["png"].(*types.AttributeValueMemberB)
	if png == nil {
		return nil, nil
	}
	return png.Value, nil
}

func (s *Store) SaveReward(ctx context.Context, r loyalty.Reward) error {
	return s.put(ctx, r, pkRewards, rewardSK(r.ID))
}

func (s *Store) Reward(ctx context.Context, id string) (loyalty.Reward, error) {
	var r loyalty.Reward
	return r, s.get(ctx, pkRewards, rewardSK(id), &r, loyalty.ErrRewardNotFound)
}

func (s *Store) Rewards(ctx context.Context) ([]loyalty.Reward, error) {
	out, err := queryAll[loyalty.Reward](ctx, s, pkRewards, "REWARD#", false)
	if err != nil {
		return nil, fmt.Errorf("query rewards: %w", err)
	}
	store.SortRewards(out)
	return out, nil
}

func (s *Store) put(ctx context.Context, v any, pk, sk string) error {
	item, err := marshal(v, pk, sk)
	if err != nil {
		return err
	}
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: item}); err != nil {
		return fmt.Errorf("put %s: %w", pk, err)
	}
	return nil
}

// get reads one item into v, or returns notFound.
func (s *Store) get(ctx context.Context, pk, sk string, v any, notFound error) error {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: key(pk, sk), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return fmt.Errorf("get %s: %w", pk, err)
	}
	if out.Item == nil {
		return notFound
	}
	return unmarshal(out.Item, v)
}

// Commit writes a posting as one TransactWriteItems: the member conditioned
// on its version, the ledger entries, the lots, the pledge's index entry, a
// gift's charity totals, the program's counters, the idempotency record and
// the claims (email, reversal). DynamoDB applies all of them or none.
func (s *Store) Commit(ctx context.Context, p loyalty.Posting) error {
	var items []types.TransactWriteItem
	var reasons []error // what a ConditionalCheckFailed on items[i] means
	add := func(it types.TransactWriteItem, meaning error) {
		items = append(items, it)
		reasons = append(reasons, meaning)
	}
	stats := p.Stats
	if err := s.memberItems(p, add); err != nil {
		return err
	}
	if r := p.Referrer; r != nil {
		if err := s.memberItems(*r, add); err != nil {
			return err
		}
		// One transaction may not write a counter item twice: the
		// referrer's counts go on the new member's shard (a report sums
		// every shard).
		stats.Counts, stats.Segments = map[string]int64{}, map[string]int64{}
		for _, c := range []loyalty.StatsChange{p.Stats, r.Stats} {
			for name, n := range c.Counts {
				stats.Counts[name] += n
			}
			for name, n := range c.Segments {
				stats.Segments[name] += n
			}
		}
	}
	pk := memberPK(p.Member.ID)
	if p.Donation != nil {
		for _, it := range s.giftItems(p.Member.ID, *p.Donation) {
			add(it, loyalty.ErrVersionConflict) // only the month's matched counter has a condition: its cap
		}
	}
	for _, it := range s.statsItems(stats) {
		add(it, nil)
	}
	if p.Audit != nil {
		item, err := auditItem(*p.Audit)
		if err != nil {
			return err
		}
		add(types.TransactWriteItem{Put: &types.Put{TableName: &s.table, Item: item}}, nil)
	}
	if p.ReversalOf != 0 {
		item, err := marshal(p.Reversed, pk, reversalSK(p.ReversalOf))
		if err != nil {
			return fmt.Errorf("marshal reversals: %w", err)
		}
		put := &types.Put{TableName: &s.table, Item: item, ConditionExpression: aws.String("attribute_not_exists(PK)")}
		if p.Reversed.Count > 1 {
			put.ConditionExpression = aws.String("#count = :before")
			put.ExpressionAttributeNames = map[string]string{"#count": "count"}
			put.ExpressionAttributeValues = map[string]types.AttributeValue{":before": num(p.Reversed.Count - 1)}
		}
		add(types.TransactWriteItem{Put: put}, loyalty.ErrVersionConflict)
	}
	attempt := p.Member.ID + "#" + strconv.FormatInt(p.PrevVersion, 10)
	if len(p.Entries) > 0 {
		attempt += "#" + p.Entries[0].ID
	}
	token := "posting#" + attempt
	if rec := p.Idempotency; rec != nil {
		put, err := s.idempotencyPut(*rec)
		if err != nil {
			return err
		}
		add(types.TransactWriteItem{Put: put}, loyalty.ErrKeyTaken)
		token = "idem#" + rec.Scope + "#" + rec.KeyHash + "#" + attempt
	}
	if len(items) > 100 {
		return fmt.Errorf("posting for member %s touches %d items, more than one transaction holds", p.Member.ID, len(items))
	}
	in := &dynamodb.TransactWriteItemsInput{TransactItems: items, ClientRequestToken: aws.String(requestToken(token))}
	if len(p.Entries) == 0 && p.Idempotency == nil {
		// A change of the member alone (a tier review) has no entry id to tell
		// its attempts apart: two racing runs would send the same token, and
		// DynamoDB would answer the second with the first's success instead of
		// its failed condition. The SDK's random token, kept across its own
		// retries, is the right one here.
		in.ClientRequestToken = nil
	}
	_, err := s.db.TransactWriteItems(ctx, in)
	return transactionError(err, reasons)
}

// idempotencyPut writes a key's record unless an unexpired one holds the
// key.
func (s *Store) idempotencyPut(rec loyalty.IdempotencyRecord) (*types.Put, error) {
	item, err := marshal(rec, idemPK(rec.Scope, rec.KeyHash), skIdem)
	if err != nil {
		return nil, fmt.Errorf("marshal idempotency record: %w", err)
	}
	item["ttl"] = num(rec.ExpiresAt.Unix()) // DynamoDB's TTL removes it, in its own time
	return &types.Put{
		TableName: &s.table, Item: item,
		ConditionExpression:       aws.String("attribute_not_exists(PK) OR #ttl < :now"),
		ExpressionAttributeNames:  map[string]string{"#ttl": "ttl"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":now": num(rec.CreatedAt.Unix())},
	}, nil
}

// memberItems are the items of a member's own change: the member on its
// version (or created, with its email claim and lookup items), its ledger
// entries, its lots and its pledge's index entry.
func (s *Store) memberItems(p loyalty.Posting, add func(types.TransactWriteItem, error)) error {
	pk := memberPK(p.Member.ID)

	member, err := marshal(p.Member, pk, skProfile)
	if err != nil {
		return fmt.Errorf("marshal member: %w", err)
	}
	// Sparse indexes: a member is under its birthday and its tier review day.
	if !p.Member.Birthday.IsZero() {
		member["GSI1PK"], member["GSI1SK"] = str(birthdayKey(p.Member.Birthday.MonthDay())), str(pk)
	}
	if !p.Member.TierReviewOn.IsZero() {
		member["GSI3PK"], member["GSI3SK"] = str(dueKey(p.Member.TierReviewOn, dueTierReview)), str(pk)
	}
	put := &types.Put{TableName: &s.table, Item: member}
	if p.PrevVersion == 0 {
		put.ConditionExpression = aws.String("attribute_not_exists(PK)")
		claim := key(emailPK(p.Member.Email), skEmail)
		claim["memberId"] = str(p.Member.ID)
		add(types.TransactWriteItem{Put: put}, loyalty.ErrVersionConflict)
		add(types.TransactWriteItem{Put: &types.Put{TableName: &s.table, Item: claim, ConditionExpression: aws.String("attribute_not_exists(PK)")}}, loyalty.ErrEmailTaken)
		for _, item := range lookupItems(p.Member) {
			add(types.TransactWriteItem{Put: &types.Put{TableName: &s.table, Item: item}}, nil)
		}
	} else {
		put.ConditionExpression = aws.String("version = :prev")
		put.ExpressionAttributeValues = map[string]types.AttributeValue{":prev": num(p.PrevVersion)}
		add(types.TransactWriteItem{Put: put}, loyalty.ErrVersionConflict)
		for _, it := range s.movedLookups(p) {
			add(it.item, it.meaning)
		}
	}
	for _, e := range p.Entries {
		item, err := marshal(e, pk, txSK(e.Seq))
		if err != nil {
			return fmt.Errorf("marshal entry: %w", err)
		}
		add(types.TransactWriteItem{Put: &types.Put{TableName: &s.table, Item: item, ConditionExpression: aws.String("attribute_not_exists(PK)")}}, loyalty.ErrVersionConflict)
	}
	for _, l := range p.Lots {
		if l.Remaining == 0 {
			add(types.TransactWriteItem{Delete: &types.Delete{TableName: &s.table, Key: key(pk, lotSK(l.ExpiresOn))}}, nil)
			continue
		}
		item, err := marshal(l, pk, lotSK(l.ExpiresOn))
		if err != nil {
			return fmt.Errorf("marshal lot: %w", err)
		}
		// Sparse expiry index: only lots with points left are in it.
		item["GSI2PK"], item["GSI2SK"] = str(expiryKey(l.ExpiresOn, p.Member.ID)), str(pk)
		add(types.TransactWriteItem{Put: &types.Put{TableName: &s.table, Item: item}}, nil)
	}
	if due := p.Member.PledgeDue(); due != p.PrevPledgeDue {
		// Sparse index of pledges due: an item of its own beside the member,
		// whose GSI3 keys are the tier review's.
		if due.IsZero() {
			add(types.TransactWriteItem{Delete: &types.Delete{TableName: &s.table, Key: key(pk, skPlan)}}, nil)
		} else {
			item := key(pk, skPlan)
			item["memberId"] = str(p.Member.ID)
			item["GSI3PK"], item["GSI3SK"] = str(dueKey(due, dueDonation)), str(pk)
			add(types.TransactWriteItem{Put: &types.Put{TableName: &s.table, Item: item}}, nil)
		}
	}
	return nil
}

// requestToken derives TransactWriteItems' ClientRequestToken from the
// idempotency key and the attempt (member, version it was computed from, its
// first entry's id), instead of the SDK's random one: a resent request is
// recognised as the same write, while a recomputed attempt, whose items
// differ, gets a token of its own and never an IdempotentParameterMismatch.
// Past DynamoDB's 10-minute token window the idempotency record and the
// version condition still refuse a second write.
func requestToken(identity string) string {
	sum := sha256.Sum256([]byte(identity))
	return hex.EncodeToString(sum[:])[:36]
}

// transactionError maps a cancelled transaction to the domain error of the
// first item whose condition failed.
func transactionError(err error, meanings []error) error {
	if err == nil {
		return nil
	}
	var cancelled *types.TransactionCanceledException
	if errors.As(err, &cancelled) {
		for i, r := range cancelled.CancellationReasons {
			code := aws.ToString(r.Code)
			switch {
			case code == "ConditionalCheckFailed" && i < len(meanings) && meanings[i] != nil:
				return meanings[i]
			case code == "TransactionConflict":
				// Another transaction held an item: the domain rereads and tries again.
				return loyalty.ErrVersionConflict
			}
		}
	}
	var conflict *types.TransactionConflictException
	var mismatch *types.IdempotentParameterMismatchException
	if errors.As(err, &conflict) || errors.As(err, &mismatch) {
		return loyalty.ErrVersionConflict
	}
	return fmt.Errorf("transact write: %w", err)
}
