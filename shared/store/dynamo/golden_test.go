package dynamo_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fidelio/fidelio/shared/store/dynamo"
	"github.com/fidelio/fidelio/shared/store/storetest"
)

var update = flag.Bool("update", false, "write the golden files again")

// TestStoredItemsAreGolden pins the items the store writes, attribute by
// attribute with their DynamoDB types: a domain type's JSON names are its
// attribute names, and changing one must be a decision, not an accident.
func TestStoredItemsAreGolden(t *testing.T) {
	t.Parallel()
	db := local(t)
	table := newTable(t, db)
	storetest.Populate(t, dynamo.New(db, table))
	var items []map[string]types.AttributeValue
	scan := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{TableName: &table, ConsistentRead: aws.Bool(true)})
	for scan.HasMorePages() {
		page, err := scan.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, page.Items...)
	}
	lines := make([]string, len(items))
	for i, item := range items {
		b, err := json.Marshal(typed(item, pinned(item)))
		if err != nil {
			t.Fatal(err)
		}
		lines[i] = string(b)
	}
	sort.Strings(lines) // PK and SK come first: items in key order
	var out bytes.Buffer
	for _, l := range lines {
		out.WriteString(l + "\n")
	}
	storetest.Golden(t, "testdata/items.golden", out.Bytes(), *update)
}

// pinned says what an attribute's value is when it differs from run to run:
// a sealed answer's random nonce, a push claim's expiry from the wall clock
// and the random mark of the call that claimed it.
func pinned(item map[string]types.AttributeValue) map[string]string {
	sk, _ := item["SK"].(*types.AttributeValueMemberS)
	out := map[string]string{"sealed": "(sealed, random nonce)"}
	if sk != nil && strings.HasPrefix(sk.Value, "PUSHED#") {
		out["ttl"] = "(now + 7 days)"
		out["claim"] = "(random, the claiming call's)"
	}
	return out
}

// typed writes an item as DynamoDB's JSON does, {"name": {"S": "…"}}, with
// the attributes sorted by name and PK, SK first.
func typed(item map[string]types.AttributeValue, pin map[string]string) json.Marshaler {
	names := make([]string, 0, len(item))
	for n := range item {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		rank := func(n string) string { return map[string]string{"PK": "0", "SK": "1"}[n] + "2" + n }
		return rank(names[i]) < rank(names[j])
	})
	var b bytes.Buffer
	b.WriteByte('{')
	for i, n := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(n)
		b.Write(k)
		b.WriteByte(':')
		v := value(item[n])
		if p, ok := pin[n]; ok {
			for typ := range v {
				v[typ] = p // the type stays pinned
			}
		}
		enc, _ := json.Marshal(v)
		b.Write(enc)
	}
	b.WriteByte('}')
	return json.RawMessage(b.Bytes())
}

func value(av types.AttributeValue) map[string]any {
	switch v := av.(type) {
	case *types.AttributeValueMemberS:
		return map[string]any{"S": v.Value}
	case *types.AttributeValueMemberN:
		return map[string]any{"N": v.Value}
	case *types.AttributeValueMemberB:
		return map[string]any{"B": v.Value}
	case *types.AttributeValueMemberBOOL:
		return map[string]any{"BOOL": v.Value}
	case *types.AttributeValueMemberNULL:
		return map[string]any{"NULL": v.Value}
	case *types.AttributeValueMemberM:
		return map[string]any{"M": typed(v.Value, nil)}
	case *types.AttributeValueMemberL:
		list := make([]map[string]any, len(v.Value))
		for i, e := range v.Value {
			list[i] = value(e)
		}
		return map[string]any{"L": list}
	case *types.AttributeValueMemberSS:
		return map[string]any{"SS": v.Value}
	case *types.AttributeValueMemberNS:
		return map[string]any{"NS": v.Value}
	case *types.AttributeValueMemberBS:
		return map[string]any{"BS": v.Value}
	}
	return map[string]any{"?": fmt.Sprintf("%T", av)}
}
