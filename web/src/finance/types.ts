// The finance reports' answers, as the API's OpenAPI document declares them.
import type { Answer, Schemas } from "../api/schema";

/** Amount is a sum in dollars (nine decimals) and in nano-dollars. */
export type Amount = Schemas["FinanceAmount"];
/** MaybeAmount is an amount that may not exist (both null). */
export type MaybeAmount = Schemas["FinanceMaybeAmount"];
export type Costs = Schemas["FinanceCosts"];
export type UnitEconomics = Schemas["FinanceUnitEconomics"];
export type DayEconomics = UnitEconomics["daily"][number];
export type PerUnit = Schemas["FinancePerUnit"];
export type Reconciled = Schemas["FinanceReconciled"];
export type Reconciliation = Schemas["FinanceReconciliation"];
export type RevenueFigures = Schemas["FinanceRevenueFigures"];
export type Revenue = Schemas["FinanceRevenue"];
export type Receipt = Schemas["FinanceReceipt"];
export type ReceiptLine = Receipt["lines"][number];
export type Hotel = Schemas["Hotel"];
/** Hotels is the catalogue's list of hotels (GET /v1/hotels). */
export type Hotels = Answer<"listHotels">;
