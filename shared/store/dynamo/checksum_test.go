package dynamo_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/logging"
)

// sdkLog keeps what the SDK logs.
type sdkLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *sdkLog) Logf(c logging.Classification, format string, v ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, string(c)+" "+fmt.Sprintf(format, v...))
}

// TestAnswersWithoutAChecksumLogNoWarning: DynamoDB Local answers an error
// without X-Amz-Crc32, which the SDK alone checks against 0 and warns about
// on every refused call (a missing table, a failed condition).
func TestAnswersWithoutAChecksumLogNoWarning(t *testing.T) {
	t.Parallel()
	log := &sdkLog{}
	db := dynamodb.New(local(t).Options(), func(o *dynamodb.Options) { o.Logger = log })
	_, err := db.DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: aws.String("fidelio-no-such-table")})
	var missing *types.ResourceNotFoundException
	if !errors.As(err, &missing) {
		t.Fatalf("describing a missing table: %v, want ResourceNotFoundException", err)
	}
	name := newTable(t, db)
	if _, err := db.DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: &name}); err != nil {
		t.Fatal(err)
	}
	log.mu.Lock()
	defer log.mu.Unlock()
	for _, line := range log.lines {
		if strings.Contains(line, "checksum") {
			t.Errorf("the SDK logged %q", line)
		}
	}
}
