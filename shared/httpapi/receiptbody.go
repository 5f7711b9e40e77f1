package httpapi

import (
	"fmt"

	"innkeeper/shared/keyring"
)

// OpenReceiptBody gives back the response body stored in an idempotency
// receipt row (scope, key, fingerprint, body), sealed or in clear, with
// the keys the API was given as LinkKeys. It lets checks outside the API
// (fault tests, support tools) read stored receipts without a second
// definition of how they are sealed.
func OpenReceiptBody(appKeys []string, scope, key string, fingerprint, body []byte) ([]byte, error) {
	if !keyring.IsSealed(body) {
		return body, nil
	}
	seal, err := keyring.NewSealer(receiptPurpose, appKeys...)
	if err != nil {
		return nil, fmt.Errorf("httpapi: receipt keys: %w", err)
	}
	plain, err := seal.Open(body, receiptContext(scope, key, fingerprint))
	if err != nil {
		return nil, fmt.Errorf("httpapi: receipt %s: %w", scope, err)
	}
	return plain, nil
}
