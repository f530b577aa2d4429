package dynamo

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/fidelio/fidelio/shared/awsenv"
	"github.com/fidelio/fidelio/shared/logs"
	"github.com/fidelio/fidelio/shared/store"
)

// Connect returns a client of DynamoDB Local at endpoint, which takes any
// credentials and region: the local stack's and the tests'. A Lambda
// function uses InLambda. Throttling is retried by the SDK with jittered
// backoff, and what outlasts the retries is store.ErrUnavailable; a
// transaction conflict is left to the domain, which rereads first.
//
// Neither builds the SDK's default configuration chain
// (config.LoadDefaultConfig): linking it costs every function 320 KiB
// and the start-up of the SSO, STS and sign-in clients it carries.
func Connect(ctx context.Context, endpoint string) (*dynamodb.Client, error) {
	if endpoint == "" {
		return nil, errors.New("dynamo: Connect needs the endpoint of DynamoDB Local")
	}
	return newClient(LocalConfig(), endpoint, localRetryer()), nil
}

// LocalConfig is what DynamoDB Local needs of a client: any credentials and
// region, the same for every client of a table and its stream (DynamoDB
// Local keeps a database per access key and region).
func LocalConfig() aws.Config {
	return aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")}
}

func newClient(cfg aws.Config, endpoint string, retryer aws.Retryer) *dynamodb.Client {
	return dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
		o.Retryer = retryer
		o.Logger = logs.SDK(logs.Default()) // the SDK's warnings as the functions' JSON lines
		o.APIOptions = append(o.APIOptions, markUnavailable, checksumWhenAbsent)
	})
}

// checksumWhenAbsent gives a response without an X-Amz-Crc32 header the CRC32
// of its body. The SDK checks every DynamoDB response against that header,
// and one without it (an error answer of DynamoDB Local, among others)
// against 0, so each ended in a "response did not match expected checksum"
// warning (aws/aws-sdk-go-v2#3545, open). A response that carries the header
// is left to the SDK's check. It runs inside the SDK's checksum middleware,
// on the raw response, before that wraps the body.
func checksumWhenAbsent(stack *middleware.Stack) error {
	const header = "X-Amz-Crc32"
	fill := middleware.DeserializeMiddlewareFunc("FidelioChecksumWhenAbsent", func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
		out, md, err := next.HandleDeserialize(ctx, in)
		resp, ok := out.RawResponse.(*smithyhttp.Response)
		if err != nil || !ok || resp.Body == nil || resp.Header.Get(header) != "" {
			return out, md, err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return out, md, &smithy.DeserializationError{Err: fmt.Errorf("read the response body: %w", err)}
		}
		resp.Header.Set(header, strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10))
		resp.Body = io.NopCloser(bytes.NewReader(body))
		return out, md, nil
	})
	return stack.Deserialize.Add(fill, middleware.After)
}

// InLambda returns the Store on table with the client of a Lambda function,
// configured from its environment alone (awsenv; the endpoint of DynamoDB
// Local, or else AWS_ENDPOINT_URL_DYNAMODB, overrides DynamoDB's). It calls
// nothing: Check reads the table.
func InLambda(endpoint, table string) (*Store, error) {
	cfg, err := awsenv.Load()
	if endpoint != "" {
		cfg, err = LocalConfig(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("dynamo: %w", err)
	}
	return New(newClient(cfg, cmp.Or(endpoint, awsenv.Endpoint("DynamoDB")), retryer()), table), nil
}

// markUnavailable marks the errors that the SDK retries (throttling, 5xx, a
// lost connection) as store.ErrUnavailable when they outlast the retries, so
// that the client is told to send its request again (503), not that the
// program failed (500).
func markUnavailable(stack *middleware.Stack) error {
	mark := middleware.FinalizeMiddlewareFunc("FidelioMarkUnavailable", func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
		out, md, err := next.HandleFinalize(ctx, in)
		if err != nil && retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err) == aws.TrueTernary {
			err = unavailableError{err}
		}
		return out, md, err
	})
	return stack.Finalize.Insert(mark, (&retry.Attempt{}).ID(), middleware.Before)
}

// unavailableError is a call's error that is also store.ErrUnavailable.
type unavailableError struct{ err error }

func (e unavailableError) Error() string   { return e.err.Error() }
func (e unavailableError) Unwrap() []error { return []error{store.ErrUnavailable, e.err} }

// retryer tries a call 8 times in all, with the SDK's jittered backoff.
func retryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = 8 })
}

// localRetryer is retryer without the SDK's client-side retry quota, for
// DynamoDB Local: it answers 500 "timed out waiting for a lock" to
// concurrent transactions that DynamoDB would serve (all the tables of one
// access key share one lock), and a test's 32 writers on one client spent
// the quota's tokens in seconds, so calls failed that a retry would have
// carried.
func localRetryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = 8
		o.RateLimiter = ratelimit.None
	})
}

// CreateTable makes the single table with its sparse indexes and TTL, as
// template.yaml declares it in AWS, for tests and the local stack. An existing
// table is left as it is.
func CreateTable(ctx context.Context, db *dynamodb.Client, name string) error {
	attr := func(n string) types.AttributeDefinition {
		return types.AttributeDefinition{AttributeName: aws.String(n), AttributeType: types.ScalarAttributeTypeS}
	}
	schema := func(pk, sk string) []types.KeySchemaElement {
		return []types.KeySchemaElement{
			{AttributeName: aws.String(pk), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String(sk), KeyType: types.KeyTypeRange},
		}
	}
	var indexes []types.GlobalSecondaryIndex
	defs := []types.AttributeDefinition{attr("PK"), attr("SK")}
	for _, gsi := range []string{"GSI1", "GSI2", "GSI3"} {
		defs = append(defs, attr(gsi+"PK"), attr(gsi+"SK"))
		indexes = append(indexes, types.GlobalSecondaryIndex{
			IndexName:  aws.String(gsi),
			KeySchema:  schema(gsi+"PK", gsi+"SK"),
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		})
	}
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:              aws.String(name),
		AttributeDefinitions:   defs,
		KeySchema:              schema("PK", "SK"),
		GlobalSecondaryIndexes: indexes,
		BillingMode:            types.BillingModePayPerRequest,
		StreamSpecification:    &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeNewAndOldImages},
	})
	var inUse *types.ResourceInUseException
	if errors.As(err, &inUse) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create table %s: %w", name, err)
	}
	waiter := dynamodb.NewTableExistsWaiter(db)
	if err := waiter.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}, 30*time.Second); err != nil {
		return fmt.Errorf("wait for table %s: %w", name, err)
	}
	_, err = db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName:               aws.String(name),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("ttl"), Enabled: aws.Bool(true)},
	})
	if err != nil {
		return fmt.Errorf("enable TTL on %s: %w", name, err)
	}
	return nil
}

// Open connects to DynamoDB Local at endpoint and returns the Store on table
// once it has read from it (Check).
func Open(ctx context.Context, endpoint, table string) (*Store, error) {
	db, err := Connect(ctx, endpoint)
	if err != nil {
		return nil, err
	}
	s := New(db, table)
	if err := s.Check(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Check reads one key of the table: a table that does not exist, or that the
// function may not read, is named in the error, instead of failing every
// request after with the SDK's words.
func (s *Store) Check(ctx context.Context) error {
	// One GetItem, which every function's policy allows (DescribeTable is
	// not), of a key that costs the least to read whether or not it is there.
	_, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: key(pkProgram, skRules), ProjectionExpression: aws.String("PK")})
	var missing *types.ResourceNotFoundException
	if errors.As(err, &missing) {
		return fmt.Errorf("dynamo: table %q does not exist in this account and region", s.table)
	}
	if err != nil {
		return fmt.Errorf("dynamo: cannot read table %q: %w", s.table, err)
	}
	return nil
}
