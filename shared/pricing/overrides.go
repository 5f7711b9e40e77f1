package pricing

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"innkeeper/shared/decimal"
)

// Item names a price that an Override can change.
type Item string

// The items, as written in ParseOverrides's format.
const (
	ItemLambdaRequests    Item = "lambda_requests"
	ItemLambdaCompute     Item = "lambda_compute" // both architectures; per GB-second
	ItemHTTP              Item = "apigw_http"     // per request
	ItemWebSocketMessages Item = "apigw_ws_messages"
	ItemWebSocketMinutes  Item = "apigw_ws_minutes"
	ItemSQS               Item = "sqs"
	ItemEventBridge       Item = "eventbridge"
	ItemSES               Item = "ses"  // per email
	ItemLogs              Item = "logs" // per GB
)

// Items is every Item, in a fixed order.
var Items = []Item{
	ItemLambdaRequests, ItemLambdaCompute, ItemHTTP, ItemWebSocketMessages,
	ItemWebSocketMinutes, ItemSQS, ItemEventBridge, ItemSES, ItemLogs,
}

// overrideGroup is the items a percentage may name at once by the
// group's name (all, lambda, apigw).
func overrideGroup(name string) ([]Item, bool) {
	switch name {
	case "all":
		return Items, true
	case "lambda":
		return []Item{ItemLambdaRequests, ItemLambdaCompute}, true
	case "apigw":
		return []Item{ItemHTTP, ItemWebSocketMessages, ItemWebSocketMinutes}, true
	}
	return nil, false
}

// quoteUnit is how many metered units make the unit a price is quoted in:
// compute is metered in MB-ms but quoted per GB-second, logs metered in
// bytes but quoted per GB.
func quoteUnit(it Item) int64 {
	switch it {
	case ItemLambdaCompute:
		return MBmsPerGBSecond
	case ItemLogs:
		return BytesPerGB
	}
	return 1
}

// Adjustment changes one item's price: Flat, when set, replaces its
// tiers with one volume-independent price; then PercentBP (basis points,
// -1000 is a 10% discount) scales whatever price is left.
type Adjustment struct {
	Flat      *Rate
	PercentBP int64
}

// Overrides are negotiated prices: an Adjustment per item. The zero
// value changes nothing.
type Overrides map[Item]Adjustment

// ParseOverrides reads overrides written as comma-separated item=value
// pairs, e.g. "lambda=-10%,apigw_http=0.9/1M,ses=0.08/1000":
//
//   - item=±P% scales the item's price by P percent (at most two
//     decimals, not below -100%). Besides an Item, the key may be a group:
//     "lambda" (requests and compute), "apigw" (HTTP and WebSocket) or
//     "all". The most specific key wins: "all=-5%,sqs=-20%" gives SQS
//     20% off, not 24%.
//   - item=USD/QTY replaces the item's price, tiers and all, with USD
//     dollars per QTY units; QTY is a whole number with an optional K, M
//     or B (thousand, million, billion) suffix. Units are requests,
//     messages, connection minutes, events and emails, except
//     lambda_compute (GB-seconds) and logs (GB). A percentage for the
//     same item still applies on top.
//
// Spaces around pairs are ignored; an empty string is no overrides.
func ParseOverrides(s string) (Overrides, error) {
	type percent struct {
		bp    int64
		level int // 0 all, 1 group, 2 item
	}
	percents := map[Item]percent{}
	out := Overrides{}
	seen := map[string]bool{}
	for pair := range strings.SplitSeq(s, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		key, value, ok := strings.Cut(pair, "=")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if !ok || key == "" || value == "" {
			return nil, fmt.Errorf("pricing: override %q: want item=value", pair)
		}
		items, level := []Item{Item(key)}, 2
		if g, isGroup := overrideGroup(key); isGroup {
			items, level = g, 1
			if key == "all" {
				level = 0
			}
		} else if !knownItem(Item(key)) {
			return nil, fmt.Errorf("pricing: override %q: unknown item %q (items: %s; groups: all, lambda, apigw)", pair, key, itemList())
		}
		if p, isPercent := strings.CutSuffix(value, "%"); isPercent {
			if seen[key+"%"] {
				return nil, fmt.Errorf("pricing: override %q: %s has a percentage twice", pair, key)
			}
			seen[key+"%"] = true
			bp, err := parsePercent(p)
			if err != nil {
				return nil, fmt.Errorf("pricing: override %q: %w", pair, err)
			}
			for _, it := range items {
				if cur, set := percents[it]; !set || level > cur.level {
					percents[it] = percent{bp, level}
				}
			}
			continue
		}
		if level != 2 {
			return nil, fmt.Errorf("pricing: override %q: a price needs one item, not the group %s", pair, key)
		}
		if seen[key+"/"] {
			return nil, fmt.Errorf("pricing: override %q: %s has a price twice", pair, key)
		}
		seen[key+"/"] = true
		r, err := parseQuote(value, quoteUnit(Item(key)))
		if err != nil {
			return nil, fmt.Errorf("pricing: override %q: %w", pair, err)
		}
		adj := out[Item(key)]
		adj.Flat = &r
		out[Item(key)] = adj
	}
	for it, p := range percents {
		adj := out[it]
		adj.PercentBP = p.bp
		out[it] = adj
	}
	return out, nil
}

func knownItem(it Item) bool {
	for _, k := range Items {
		if k == it {
			return true
		}
	}
	return false
}

func itemList() string {
	names := make([]string, len(Items))
	for i, it := range Items {
		names[i] = string(it)
	}
	return strings.Join(names, ", ")
}

// parsePercent reads "-10", "+2.5" or "7.25" as basis points.
func parsePercent(s string) (int64, error) {
	in := s
	sign := int64(1)
	switch {
	case strings.HasPrefix(s, "-"):
		sign, s = -1, s[1:]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	num, scale, err := decimal.Parse(s)
	if err != nil || scale > 2 {
		return 0, fmt.Errorf("percentage %q: want ±P with at most two decimals", in+"%")
	}
	for ; scale < 2; scale++ {
		num *= 10
	}
	bp := sign * num
	if bp < -10000 || bp > 1_000_000 {
		return 0, fmt.Errorf("percentage %q: out of range (-100%% to +10000%%)", in+"%")
	}
	return bp, nil
}

// parseQuote reads "0.9/1M" as a Rate per metered unit, given how many
// metered units make one quoted unit.
func parseQuote(s string, unit int64) (Rate, error) {
	usd, qty, ok := strings.Cut(s, "/")
	if !ok {
		return Rate{}, fmt.Errorf("price %q: want USD/QTY, e.g. 0.9/1M, or a percentage", s)
	}
	mult := int64(1)
	switch {
	case strings.HasSuffix(qty, "K"):
		mult, qty = 1_000, strings.TrimSuffix(qty, "K")
	case strings.HasSuffix(qty, "M"):
		mult, qty = 1_000_000, strings.TrimSuffix(qty, "M")
	case strings.HasSuffix(qty, "B"):
		mult, qty = 1_000_000_000, strings.TrimSuffix(qty, "B")
	}
	n, err := strconv.ParseInt(qty, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult/unit {
		return Rate{}, fmt.Errorf("price %q: quantity %q must be a positive whole number", s, qty)
	}
	return usdRate(strings.TrimPrefix(usd, "$"), n*mult*unit)
}

// Apply is the prices with the overrides applied.
func (p Prices) Apply(o Overrides) (Prices, error) {
	for it, adj := range o {
		var err error
		switch it {
		case ItemLambdaRequests:
			p.LambdaRequests, err = adj.rate(p.LambdaRequests)
		case ItemLambdaCompute:
			if p.LambdaComputeARM64, err = adj.tiers(p.LambdaComputeARM64); err == nil {
				p.LambdaComputeX86, err = adj.tiers(p.LambdaComputeX86)
			}
		case ItemHTTP:
			p.HTTPRequests, err = adj.tiers(p.HTTPRequests)
		case ItemWebSocketMessages:
			p.WebSocketMessages, err = adj.tiers(p.WebSocketMessages)
		case ItemWebSocketMinutes:
			p.WebSocketMinutes, err = adj.rate(p.WebSocketMinutes)
		case ItemSQS:
			p.SQSRequests, err = adj.rate(p.SQSRequests)
		case ItemEventBridge:
			p.EventBridgeEvents, err = adj.rate(p.EventBridgeEvents)
		case ItemSES:
			p.SESEmails, err = adj.rate(p.SESEmails)
		case ItemLogs:
			p.LogsIngestion, err = adj.tiers(p.LogsIngestion)
		default:
			err = fmt.Errorf("unknown item")
		}
		if err != nil {
			return Prices{}, fmt.Errorf("pricing: override %s: %w", it, err)
		}
	}
	return p, nil
}

func (a Adjustment) rate(r Rate) (Rate, error) {
	if a.Flat != nil {
		r = *a.Flat
	}
	if err := r.Validate(); err != nil {
		return Rate{}, err
	}
	if a.PercentBP == 0 {
		return r, nil
	}
	if a.PercentBP < -10000 {
		return Rate{}, fmt.Errorf("percentage %d bp below -100%%", a.PercentBP)
	}
	x := new(big.Rat).Mul(r.rat(), big.NewRat(10000+a.PercentBP, 10000))
	return rateOf(x)
}

func (a Adjustment) tiers(t Tiers) (Tiers, error) {
	if a.Flat != nil {
		t = Flat(*a.Flat)
	}
	out := make(Tiers, len(t))
	for i, tier := range t {
		r, err := Adjustment{PercentBP: a.PercentBP}.rate(tier.Rate)
		if err != nil {
			return nil, err
		}
		out[i] = Tier{UpTo: tier.UpTo, Rate: r}
	}
	return out, nil
}
