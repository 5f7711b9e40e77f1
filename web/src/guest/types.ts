// The API's guest-facing answers, as the console reads them.

export interface PriceLine {
  code: string;
  name: string;
  kind: string;
  included: boolean;
  pay_at_hotel: boolean;
  amount_cents: number;
}

export interface Price {
  currency: string;
  room_cents: number;
  lines: PriceLine[];
  total_cents: number;
  pay_at_hotel_cents: number;
  grand_total_cents: number;
}

export interface Payment {
  policy: "guarantee" | "deposit" | "prepay" | string;
  deposit_percent?: number;
  due_now_cents: number;
  due_later_cents: number;
  refund_cents?: number;
  currency: string;
  paid_cents?: number;
  card_saved?: boolean;
  status?: string;
  pending?: string;
}

export interface Offer {
  room_type: string;
  room_type_name: string;
  rate_plan: string;
  name: string;
  available: number;
  currency: string;
  total_cents: number;
  refundable: boolean;
  free_cancellation_until: string | null;
  price: Price;
  payment: Payment;
}

export interface Availability {
  hotel: string;
  check_in: string;
  check_out: string;
  nights: number;
  adults: number;
  children: number;
  rooms: number;
  offers: Offer[];
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
  guest: { name: string; email: string; phone: string };
  total_cents: number;
  currency: string;
  refundable: boolean;
  free_cancellation_until: string | null;
  hold_expires_at: string | null;
  cancellation_fee_cents: number | null;
  price: Price;
  payment: Payment;
}

export interface Hotel {
  slug: string;
  name: string;
  city?: string;
  currency?: string;
  timezone?: string;
}

// guestToken keeps a reservation's access token for this tab only: the
// API shows it once, at booking.
export const guestToken = {
  get: (ref: string): string => sessionStorage.getItem(`innkeeper.guest.${ref}`) ?? "",
  set: (ref: string, token: string): void => sessionStorage.setItem(`innkeeper.guest.${ref}`, token),
};
