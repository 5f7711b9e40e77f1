package pricing

import "strings"

// Unmapped is the service of a line item no service is known for: the
// reconciliation shows its cost under this name rather than drop it, so
// a new Line without a service stands out.
const Unmapped = "(unmapped)"

// services maps each Line to the AWS service that bills it, named as
// the bill names it (CUR line_item_product_code). It is the one place
// the ledger's lines meet the bill's services.
var services = map[Line]string{
	LineLambdaRequests:    "AWSLambda",
	LineLambdaCompute:     "AWSLambda",
	LineLambdaInit:        "AWSLambda",
	LineAPIGateway:        "AmazonApiGateway",
	LineSQS:               "AWSQueueService",
	LineEventBridge:       "AWSEvents",
	LineSES:               "AmazonSES",
	LineLogs:              "AmazonCloudWatch",
	LineWebSocketMessages: "AmazonApiGateway",
	LineSQSSend:           "AWSQueueService",
	LineXRay:              "AWSXRay",
}

// Service is the AWS service that bills line, or Unmapped. Any line
// named lambda_… is Lambda's.
func Service(line Line) string {
	if s, ok := services[line]; ok {
		return s
	}
	if strings.HasPrefix(string(line), "lambda_") {
		return "AWSLambda"
	}
	return Unmapped
}
