package dynamo

import (
	"fmt"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// StreamMember reads a member from a stream record's image; ok is false when
// the image is of another kind of item (or missing, as the old image of a
// new member is).
func StreamMember(image map[string]events.DynamoDBAttributeValue) (m loyalty.Member, ok bool, err error) {
	if len(image) == 0 || image["SK"].DataType() != events.DataTypeString || image["SK"].String() != skProfile ||
		!strings.HasPrefix(image["PK"].String(), "MEMBER#") {
		return m, false, nil
	}
	item, err := fromStreamImage(image)
	if err != nil {
		return m, false, err
	}
	if err := unmarshal(item, &m); err != nil {
		return m, true, err
	}
	// The stream carries only items this store wrote, so an image whose
	// member could not be written back (a map key left empty) is not one.
	if _, err := marshal(m, memberPK(m.ID), skProfile); err != nil {
		return m, true, fmt.Errorf("stream image: not a member item this store writes: %w", err)
	}
	return m, true, nil
}

// StreamRules reads the program's rules from a stream record's image; ok is
// false when the image is of another item.
func StreamRules(image map[string]events.DynamoDBAttributeValue) (rules loyalty.Rules, ok bool, err error) {
	if image["PK"].DataType() != events.DataTypeString || image["PK"].String() != pkProgram ||
		image["SK"].DataType() != events.DataTypeString || image["SK"].String() != skRules {
		return rules, false, nil
	}
	item, err := fromStreamImage(image)
	if err != nil {
		return rules, true, err
	}
	rules, err = rulesOf(item)
	return rules, true, err
}

func fromStreamImage(image map[string]events.DynamoDBAttributeValue) (map[string]types.AttributeValue, error) {
	item := make(map[string]types.AttributeValue, len(image))
	for k, v := range image {
		var err error
		if item[k], err = fromStream(v); err != nil {
			return nil, fmt.Errorf("stream image %s: %w", k, err)
		}
	}
	return item, nil
}

// fromStream converts a stream attribute value (aws-lambda-go's type) to the
// SDK's, so that items from the stream read exactly as items from the table.
func fromStream(v events.DynamoDBAttributeValue) (types.AttributeValue, error) {
	switch v.DataType() {
	case events.DataTypeString:
		return &types.AttributeValueMemberS{Value: v.String()}, nil
	case events.DataTypeNumber:
		return &types.AttributeValueMemberN{Value: v.Number()}, nil
	case events.DataTypeBinary:
		return &types.AttributeValueMemberB{Value: v.Binary()}, nil
	case events.DataTypeBoolean:
		return &types.AttributeValueMemberBOOL{Value: v.Boolean()}, nil
	case events.DataTypeNull:
		return &types.AttributeValueMemberNULL{Value: true}, nil
	case events.DataTypeStringSet:
		return &types.AttributeValueMemberSS{Value: v.StringSet()}, nil
	case events.DataTypeNumberSet:
		return &types.AttributeValueMemberNS{Value: v.NumberSet()}, nil
	case events.DataTypeBinarySet:
		return &types.AttributeValueMemberBS{Value: v.BinarySet()}, nil
	case events.DataTypeList:
		var out []types.AttributeValue
		for _, e := range v.List() {
			c, err := fromStream(e)
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		}
		return &types.AttributeValueMemberL{Value: out}, nil
	case events.DataTypeMap:
		out := map[string]types.AttributeValue{}
		for k, e := range v.Map() {
			c, err := fromStream(e)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return &types.AttributeValueMemberM{Value: out}, nil
	}
	return nil, fmt.Errorf("unknown attribute type %v", v.DataType())
}

// MemberStreamImage is a member as its item appears in a stream record's
// image: the inverse of StreamMember, for tests and sample events.
func MemberStreamImage(m loyalty.Member) (map[string]events.DynamoDBAttributeValue, error) {
	item, err := marshal(m, memberPK(m.ID), skProfile)
	if err != nil {
		return nil, err
	}
	out := make(map[string]events.DynamoDBAttributeValue, len(item))
	for k, v := range item {
		if out[k], err = toStream(v); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func toStream(v types.AttributeValue) (events.DynamoDBAttributeValue, error) {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return events.NewStringAttribute(v.Value), nil
	case *types.AttributeValueMemberN:
		return events.NewNumberAttribute(v.Value), nil
	case *types.AttributeValueMemberB:
		return events.NewBinaryAttribute(v.Value), nil
	case *types.AttributeValueMemberBOOL:
		return events.NewBooleanAttribute(v.Value), nil
	case *types.AttributeValueMemberNULL:
		return events.NewNullAttribute(), nil
	case *types.AttributeValueMemberL:
		out := make([]events.DynamoDBAttributeValue, len(v.Value))
		for i, e := range v.Value {
			c, err := toStream(e)
			if err != nil {
				return c, err
			}
			out[i] = c
		}
		return events.NewListAttribute(out), nil
	case *types.AttributeValueMemberM:
		out := make(map[string]events.DynamoDBAttributeValue, len(v.Value))
		for k, e := range v.Value {
			c, err := toStream(e)
			if err != nil {
				return c, err
			}
			out[k] = c
		}
		return events.NewMapAttribute(out), nil
	}
	return events.DynamoDBAttributeValue{}, fmt.Errorf("attribute type %T has no stream form here", v)
}
