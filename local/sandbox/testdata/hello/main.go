// Command hello is the smallest aws-lambda-go function: the floor the
// cold start of the real functions is measured against.
package main

import "github.com/aws/aws-lambda-go/lambda"

func main() {
	lambda.Start(func() (string, error) { return "hello", nil })
}
