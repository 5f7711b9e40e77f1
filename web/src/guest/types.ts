// The API's guest-facing answers, as its OpenAPI document declares them.
import type { Answer, Schemas } from "../api/schema";

export type PriceLine = Schemas["PriceLine"];
export type Price = Schemas["Price"];
export type Payment = Schemas["PaymentTerms"];
export type Offer = Schemas["Offer"];
export type Availability = Schemas["Availability"];
export type Reservation = Schemas["Reservation"];
/** Hotel is one hotel with its room types, rate plans and taxes (GET /v1/hotels/{slug}). */
export type Hotel = Schemas["HotelDetail"];
export type HotelAnswer = Answer<"getHotel">;
export type ReservationAnswer = Schemas["ReservationEnvelope"];
export type CancellationQuote = Schemas["CancellationQuote"];

// guestToken keeps a reservation's access token for this tab only: the
// API shows it once, at booking.
export const guestToken = {
  get: (ref: string): string => sessionStorage.getItem(`innkeeper.guest.${ref}`) ?? "",
  set: (ref: string, token: string): void => sessionStorage.setItem(`innkeeper.guest.${ref}`, token),
};
