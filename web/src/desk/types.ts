// The front desk's answers, as shared/httpapi writes them.

export interface Hotel {
  slug: string;
  name: string;
  city: string;
  timezone: string;
  currency: string;
}

export interface Reservation {
  reference: string;
  status: string;
  hotel: string;
  room_type: string;
  rate_plan: string;
  check_in: string;
  check_out: string;
  nights: number;
  rooms: number;
  adults: number;
  children: number;
  guest: { name: string; email: string; phone?: string };
  total_cents: number;
  currency: string;
  cancellation_fee_cents: number | null;
  checked_in_at?: string;
  checked_out_at?: string;
  created_at: string;
  booking?: string;
}

export interface Page {
  reservations: Reservation[];
  next_cursor: string | null;
}

export interface Night {
  date: string;
  rate_cents: number;
  amount_cents: number;
  released: boolean;
}

export interface Payment {
  kind: string;
  amount_cents: number;
  currency: string;
  provider: string;
  provider_ref: string;
  status: string;
  failure_message?: string;
  created_at: string;
}

export interface HistoryEvent {
  at: string;
  actor_kind: string;
  actor: string;
  actor_role?: string;
  action: string;
  reason?: string;
}

export interface Invoice {
  number: string;
  kind: string;
  purpose: string;
  issued_at: string;
  currency: string;
  total_cents: number;
}

export interface DeskRecord {
  reservation: Reservation;
  nights: Night[];
  nights_total_cents: number;
  payments: Payment[];
  paid_cents: number;
  payments_note: string;
  emails: { kind: string; sent_at: string }[];
  history: HistoryEvent[];
  invoices?: Invoice[];
}

/** statusLabel names a reservation's status for the desk. */
export const statusLabel: Record<string, string> = {
  held: 'Held',
  confirmed: 'Confirmed',
  checked_in: 'In house',
  checked_out: 'Checked out',
  cancelled: 'Cancelled',
  no_show: 'No-show',
  expired: 'Expired',
};

/** label is a status's name, or the status itself when it is new. */
export function label(status: string): string {
  return statusLabel[status] ?? status;
}
