// Command bare is the yardstick of the cold-start benchmark: an
// aws-lambda-go function that builds a DynamoDB client at start, as every
// Fidelio function does, and does nothing else before its first event,
// which it echoes. It is built with the project's SDK versions in the same
// go build as the functions.
package main

import (
	"context"
	"encoding/json"
	"log"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

func main() {
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	db := dynamodb.NewFromConfig(cfg)
	lambda.Start(func(ctx context.Context, event json.RawMessage) (json.RawMessage, error) {
		_ = db // held for the life of the process, as a function's store is
		return event, nil
	})
}
