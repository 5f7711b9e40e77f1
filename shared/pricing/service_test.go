package pricing

import "testing"

func TestEveryLineHasAService(t *testing.T) {
	for _, l := range Lines {
		if Service(l) == Unmapped {
			t.Errorf("line %s has no service: add it to services", l)
		}
	}
}

func TestService(t *testing.T) {
	tests := []struct {
		line Line
		want string
	}{
		{LineLambdaCompute, "AWSLambda"},
		{LineLambdaRequests, "AWSLambda"},
		{"lambda_snapstart", "AWSLambda"},
		{LineAPIGateway, "AmazonApiGateway"},
		{LineSQS, "AWSQueueService"},
		{"sqs_send", "AWSQueueService"},
		{LineSES, "AmazonSES"},
		{LineLogs, "AmazonCloudWatch"},
		{LineEventBridge, "AWSEvents"},
		{"xray", "AWSXRay"},
		{"websocket_messages", "AmazonApiGateway"},
		{"carrier_pigeon", Unmapped},
		{"", Unmapped},
	}
	for _, tt := range tests {
		if got := Service(tt.line); got != tt.want {
			t.Errorf("Service(%q) = %q; want %q", tt.line, got, tt.want)
		}
	}
}
