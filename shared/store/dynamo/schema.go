package dynamo

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/fidelio/fidelio/shared/store"
)

// The schema's version and the migrations' cursors are small items beside
// the program's settings.
const skSchema = "SCHEMA"

func migrationSK(version int) string { return "MIGRATION#" + strconv.Itoa(version) }

func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	return readSchemaVersion(ctx, s.db, s.table)
}

func readSchemaVersion(ctx context.Context, db *dynamodb.Client, table string) (int, error) {
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: key(pkProgram, skSchema), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return 0, fmt.Errorf("read the schema version of %s: %w", table, err)
	}
	v, ok := out.Item["version"].(*types.AttributeValueMemberN)
	if !ok {
		return 1, nil
	}
	return strconv.Atoi(v.Value)
}

func (s *Store) SaveSchemaVersion(ctx context.Context, version int) error {
	item := key(pkProgram, skSchema)
	item["version"] = num(int64(version))
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                 &s.table,
		Item:                      item,
		ConditionExpression:       aws.String("attribute_not_exists(version) OR version < :v"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":v": item["version"]},
	})
	var later *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &later) {
		return fmt.Errorf("save the schema version: %w", err)
	}
	return nil
}

func (s *Store) MigrationCursor(ctx context.Context, version int) (string, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: key(pkProgram, migrationSK(version)), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return "", fmt.Errorf("read the cursor of migration %d: %w", version, err)
	}
	if c, ok := out.Item["cursor"].(*types.AttributeValueMemberS); ok {
		return c.Value, nil
	}
	return "", nil
}

func (s *Store) SaveMigrationCursor(ctx context.Context, version int, cursor string) error {
	item := key(pkProgram, migrationSK(version))
	item["cursor"] = str(cursor)
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: item}); err != nil {
		return fmt.Errorf("save the cursor of migration %d: %w", version, err)
	}
	return nil
}

// schemaGate refuses every call of a Store on a table a later build
// upgraded. It reads the table's version on the store's first call, not
// when the store is made, so a cold start makes no call to DynamoDB; a
// failed read is tried again on the next call.
type schemaGate struct {
	db    *dynamodb.Client // without the gate
	table string

	mu      sync.Mutex
	checked bool
	err     error
}

func (g *schemaGate) check(ctx context.Context) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.checked {
		return g.err
	}
	v, err := readSchemaVersion(ctx, g.db, g.table)
	if err != nil {
		return err
	}
	g.checked, g.err = true, store.CheckSchema(v)
	return g.err
}

// gated returns a client like db whose every call passes the gate first.
func gated(db *dynamodb.Client, table string) *dynamodb.Client {
	g := &schemaGate{db: db, table: table}
	gate := middleware.InitializeMiddlewareFunc("FidelioSchemaGate", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
		if err := g.check(ctx); err != nil {
			return middleware.InitializeOutput{}, middleware.Metadata{}, err
		}
		return next.HandleInitialize(ctx, in)
	})
	return dynamodb.New(db.Options(), func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error { return s.Initialize.Add(gate, middleware.Before) })
	})
}
