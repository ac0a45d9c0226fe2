// Command sdkcheck drives the local Lambda runtime with the AWS SDK for Go v2, the client the Temporal
// server's own worker controller uses, and prints what the SDK parsed as one JSON object.
// GoSdkCompatibilityIT runs it and asserts on that object; it never contacts AWS.
//
// Usage: go run . ENDPOINT FUNCTION_ARN_V1 BLOCKED_FUNCTION_ARN
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// apiError is how the SDK surfaced a failed call: the typed error it matched, its code and HTTP status.
type apiError struct {
	Typed      string `json:"typed"`
	Code       string `json:"code"`
	Message    string `json:"message"`
	HTTPStatus int    `json:"httpStatus"`
	Reason     string `json:"reason,omitempty"`
	RetryAfter string `json:"retryAfterSeconds,omitempty"`
}

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: sdkcheck ENDPOINT FUNCTION_ARN_V1 BLOCKED_FUNCTION_ARN")
		os.Exit(2)
	}
	endpoint, arn, blocked := os.Args[1], os.Args[2], os.Args[3]
	unqualified := arn[:strings.LastIndex(arn, ":")]
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	client := lambda.New(lambda.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
		// Throttles must reach the caller as they would reach a controller, not be retried away.
		RetryMaxAttempts: 1,
	})
	out := map[string]any{}

	event, err := client.Invoke(ctx, &lambda.InvokeInput{
		FunctionName:   aws.String(arn),
		InvocationType: types.InvocationTypeEvent,
		Payload:        []byte(`{"from":"go"}`),
	})
	out["event"] = result(err, func() any { return map[string]any{"statusCode": event.StatusCode} })

	direct, err := client.Invoke(ctx, &lambda.InvokeInput{
		FunctionName: aws.String(unqualified), // the version comes from the Qualifier parameter
		Qualifier:    aws.String("1"),
		Payload:      []byte(`{"from":"go"}`),
	})
	out["requestResponse"] = result(err, func() any {
		var payload map[string]any
		_ = json.Unmarshal(direct.Payload, &payload)
		return map[string]any{"statusCode": direct.StatusCode, "executedVersion": aws.ToString(direct.ExecutedVersion),
			"payload": payload}
	})

	_, err = client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(unqualified + ":9")})
	out["wrongVersion"] = result(err, nil)

	conf, err := client.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(arn)})
	out["configuration"] = result(err, func() any {
		return map[string]any{"version": aws.ToString(conf.Version), "timeout": aws.ToInt32(conf.Timeout),
			"memorySize": aws.ToInt32(conf.MemorySize), "functionArn": aws.ToString(conf.FunctionArn),
			"environment": conf.Environment.Variables}
	})

	fn, err := client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(arn)})
	out["function"] = result(err, func() any {
		return map[string]any{"version": aws.ToString(fn.Configuration.Version)}
	})

	eic, err := client.GetFunctionEventInvokeConfig(ctx, &lambda.GetFunctionEventInvokeConfigInput{
		FunctionName: aws.String(arn)})
	out["eventInvokeConfig"] = result(err, func() any {
		return map[string]any{"maximumRetryAttempts": aws.ToInt32(eic.MaximumRetryAttempts),
			"maximumEventAgeInSeconds": aws.ToInt32(eic.MaximumEventAgeInSeconds)}
	})

	_, err = client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(blocked),
		InvocationType: types.InvocationTypeEvent})
	out["throttled"] = result(err, nil)

	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// result is {"ok": value} for a call that succeeded, or {"error": apiError} for one that failed.
func result(err error, value func() any) map[string]any {
	if err == nil {
		if value == nil {
			return map[string]any{"ok": nil}
		}
		return map[string]any{"ok": value()}
	}
	e := apiError{Message: err.Error()}
	var api smithy.APIError
	if errors.As(err, &api) {
		e.Code, e.Message = api.ErrorCode(), api.ErrorMessage()
	}
	var resp *smithyhttp.ResponseError
	if errors.As(err, &resp) {
		e.HTTPStatus = resp.HTTPStatusCode()
	}
	var notFound *types.ResourceNotFoundException
	var throttled *types.TooManyRequestsException
	switch {
	case errors.As(err, &notFound):
		e.Typed = "ResourceNotFoundException"
	case errors.As(err, &throttled):
		e.Typed = "TooManyRequestsException"
		e.Reason = string(throttled.Reason)
		e.RetryAfter = aws.ToString(throttled.RetryAfterSeconds)
	}
	return map[string]any{"error": e}
}
