// The finance reports' answers, as shared/httpapi writes them.

/** Amount is a sum in dollars (nine decimals) and in nano-dollars. */
export interface Amount {
  cost: string;
  cost_nanos: number;
}

/** MaybeAmount is an amount that may not exist (both null). */
export interface MaybeAmount {
  cost: string | null;
  cost_nanos: number | null;
}

export interface Costs {
  from: string;
  to: string;
  group_by: string;
  rows: ({ key: string | null; invocations: number } & Amount)[];
  totals: { invocations: number } & Amount;
}

export interface DayEconomics {
  day: string;
  invocations: number;
  bookings: number;
  searches: number;
  marginal_cost: Amount;
  fixed_cost: MaybeAmount;
  fixed_missing: boolean;
  fully_loaded_cost: MaybeAmount;
  marginal_per_booking: MaybeAmount;
  fully_loaded_per_booking: MaybeAmount;
}

export interface PerUnit extends Amount {
  per_booking: MaybeAmount;
  per_search: MaybeAmount;
}

export interface UnitEconomics {
  from: string;
  to: string;
  bookings: number;
  marginal: PerUnit;
  fixed: Amount & { days_with_rows: number; complete: boolean };
  fixed_days_missing: string[];
  fully_loaded: PerUnit & { complete: boolean };
  daily: DayEconomics[];
}

export interface Reconciled {
  day?: string;
  service?: string;
  ledger: Amount;
  billed: Amount;
  variance: Amount;
  variance_share_percent: string | null;
}

export interface Reconciliation {
  from: string;
  to: string;
  rows: Reconciled[];
  totals: Reconciled;
}

export interface RevenueFigures {
  currency: string;
  room_nights_sold: number;
  room_nights_available: number;
  occupancy_percent: string | null;
  room_revenue_cents: number;
  adr_cents: number | null;
  revpar_cents: number | null;
  infra_cost: MaybeAmount;
  infra_cost_per_1000_revenue: MaybeAmount;
}

export interface Revenue {
  hotel: string | null;
  from: string;
  to: string;
  rows: (RevenueFigures & { day?: string })[];
  totals: RevenueFigures[];
}

export interface ReceiptLine {
  request_id: string;
  function: string;
  trigger: string | null;
  trigger_kind: string;
  started: string;
  billed_ms: number;
  memory_mb: number;
  cost: string;
  cost_nanos: number;
  shared_by: number;
  share: string;
  share_nanos: number;
}

export interface Receipt {
  reference: string;
  hotel: string;
  status: string;
  created_at: string;
  lines: ReceiptLine[];
  total: string;
  total_nanos: number;
}

export interface Hotel {
  slug: string;
  name: string;
  timezone: string;
  currency: string;
}
