// Package awsenv is the AWS configuration of a Lambda function, read from the
// variables Lambda sets: the region (AWS_REGION) and the execution role's
// credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN),
// which Lambda keeps valid for the life of the execution environment. That is
// what the SDK's default chain (config.LoadDefaultConfig) finds in Lambda too;
// the rest of that chain (shared files, SSO, web identity, instance metadata)
// a function never uses, and linking it costs every binary 320 KiB and the
// start-up of the clients it carries, and reading the files every cold start
// time.
package awsenv

import (
	"cmp"
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Load returns the configuration the environment describes, reading no file
// and calling nothing.
func Load() (aws.Config, error) {
	region := cmp.Or(os.Getenv("AWS_REGION"), os.Getenv("AWS_DEFAULT_REGION"))
	if region == "" {
		return aws.Config{}, fmt.Errorf("awsenv: AWS_REGION is not set")
	}
	id, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
	if id == "" || secret == "" {
		return aws.Config{}, fmt.Errorf("awsenv: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set (Lambda sets them from the function's role)")
	}
	return aws.Config{
		Region:      region,
		Credentials: credentials.NewStaticCredentialsProvider(id, secret, os.Getenv("AWS_SESSION_TOKEN")),
	}, nil
}

// Endpoint is the endpoint the SDK's standard variables give a service (its
// SDK id, such as "DynamoDB" or "Secrets Manager"): AWS_ENDPOINT_URL_<ID>, or
// AWS_ENDPOINT_URL, or "" for the service's own.
func Endpoint(serviceID string) string {
	name := "AWS_ENDPOINT_URL_" + strings.ToUpper(strings.ReplaceAll(serviceID, " ", "_"))
	return cmp.Or(os.Getenv(name), os.Getenv("AWS_ENDPOINT_URL"))
}
