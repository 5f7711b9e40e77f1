package stripeemu

import "net/http"

// customer is Stripe's Customer: a name, an email and metadata, to which
// a SetupIntent attaches the cards it saves.
type customer struct {
	ID              string            `json:"id"`
	Object          string            `json:"object"`
	Name            *string           `json:"name"`
	Email           *string           `json:"email"`
	Description     *string           `json:"description"`
	Metadata        map[string]string `json:"metadata"`
	InvoiceSettings invoiceSettings   `json:"invoice_settings"`
	Created         int64             `json:"created"`
	Livemode        bool              `json:"livemode"`
}

type invoiceSettings struct {
	DefaultPaymentMethod *string `json:"default_payment_method"`
}

func (s *Server) createCustomer(f form) (int, []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &customer{ID: s.newID("cus"), Object: "customer", Name: strPtr(f.get("name")), Email: strPtr(f.get("email")),
		Description: strPtr(f.get("description")), Metadata: f.hash("metadata"), Created: s.now()}
	s.customers[c.ID] = c
	return ok200(c)
}

func (s *Server) getCustomer(id string) (int, []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.customers[id]
	if !ok {
		return missing(id, "customer")
	}
	return ok200(c)
}

// checkCustomerLocked answers Stripe's error for a customer parameter
// naming no customer, or ok when it names one or is empty.
func (s *Server) checkCustomerLocked(id string) (int, []byte, bool) {
	if id == "" {
		return 0, nil, true
	}
	if _, ok := s.customers[id]; ok {
		return 0, nil, true
	}
	status, body := errorBody(http.StatusBadRequest, apiError{Type: typeInvalidRequest, Code: "resource_missing", Param: "customer",
		Message: "No such customer: '" + id + "'"})
	return status, body, false
}

// attachLocked attaches a card a setup succeeded for to the intent's
// customer (when it has one) and makes it chargeable off session.
func (s *Server) attachLocked(pm *paymentMethod, cust *string) {
	pm.setUp = true
	if cust != nil && *cust != "" {
		c := *cust
		pm.Customer = &c
	}
}
