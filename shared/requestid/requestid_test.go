package requestid

import (
	"context"
	"testing"
)

func TestGateway(t *testing.T) {
	tests := []struct {
		name   string
		ctx    context.Context
		want   string
		wantOK bool
	}{
		{"none", context.Background(), "", false},
		{"carried", WithGateway(context.Background(), "LV7fzho-PHcEJPw="), "LV7fzho-PHcEJPw=", true},
		{"empty carries none", WithGateway(context.Background(), ""), "", false},
		{"innermost wins", WithGateway(WithGateway(context.Background(), "outer"), "inner"), "inner", true},
		{"another key's string is not it", context.WithValue(context.Background(), struct{}{}, "x"), "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Gateway(tt.ctx)
			if got != tt.want || ok != tt.wantOK {
				t.Fatalf("Gateway = %q, %v; want %q, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
