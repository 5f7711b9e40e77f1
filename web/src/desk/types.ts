// The front desk's answers, as the API's OpenAPI document declares them.
import type { Answer, Schemas } from "../api/schema";

export type Hotel = Schemas["Hotel"];
/** Hotels is the catalogue's list of hotels (GET /v1/hotels). */
export type Hotels = Answer<"listHotels">;
export type Reservation = Schemas["Reservation"];
export type Status = Reservation["status"];
/** Page is one page of a hotel's reservations (GET /v1/admin/hotels/{slug}/reservations). */
export type Page = Answer<"listReservations">;
export type DeskRecord = Schemas["DeskRecord"];
export type Night = DeskRecord["nights"][number];
export type Payment = DeskRecord["payments"][number];
export type HistoryEvent = DeskRecord["history"][number];
export type Invoice = Schemas["Invoice"];
/** ActionDone is the answer to a desk action (check-in, check-out, cancel, no-show). */
export type ActionDone = Answer<"deskCheckIn">;
/** Modified is the answer to the desk's modification. */
export type Modified = Answer<"deskModify">;

/** statusLabel names a reservation's status for the desk. */
export const statusLabel: Record<Status, string> = {
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
  return (statusLabel as Record<string, string>)[status] ?? status;
}
