// format renders money, dates and numbers in the user's locale, and turns
// rows into a CSV download.

const locale = (): string => (typeof navigator !== "undefined" && navigator.language) || "en-GB";

const digits: Record<string, number> = {};

// minorDigits is how many minor-unit digits currency has (EUR 2, JPY 0,
// BHD 3), as Intl knows it.
export function minorDigits(currency: string): number {
  if (!(currency in digits)) {
    digits[currency] =
      new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  }
  return digits[currency];
}

// Minor is an integer amount in minor units: a JSON number, or an int64
// the API wrote as a string.
export type Minor = number | string | bigint;

// decimal writes minor units of a currency with d minor digits as an
// exact decimal string ("-1234" with 2 → "-12.34"), built from the
// integer's digits: no float division on the way. It returns null for
// something that is not an integer.
export function decimal(minor: Minor, d: number): string | null {
  let s: string;
  if (typeof minor === "bigint") s = minor.toString();
  else if (typeof minor === "number") {
    if (!Number.isSafeInteger(minor)) return null;
    s = BigInt(minor).toString();
  } else {
    s = minor.trim();
    if (!/^[-+]?\d+$/.test(s)) return null;
    s = BigInt(s).toString();
  }
  const neg = s.startsWith("-");
  let digs = neg ? s.slice(1) : s;
  if (d > 0) {
    digs = digs.padStart(d + 1, "0");
    digs = `${digs.slice(0, -d)}.${digs.slice(-d)}`;
  }
  return (neg ? "-" : "") + digs;
}

// money formats an amount in minor units (cents) of currency. Intl
// formats the decimal string exactly, whatever its size.
export function money(minor: Minor, currency = "EUR"): string {
  const d = minorDigits(currency);
  const dec = decimal(minor, d);
  if (dec === null) return `${String(minor)} ${currency}`;
  return new Intl.NumberFormat(locale(), { style: "currency", currency, minimumFractionDigits: d, maximumFractionDigits: d })
    // Intl.NumberFormat.format takes a decimal string and keeps its digits.
    .format(dec as unknown as number);
}

// date formats an ISO date ("2027-01-10") or timestamp in the user's locale.
// A bare date is a calendar day, shown as is whatever the time zone.
export function date(iso: string, opts: Intl.DateTimeFormatOptions = { dateStyle: "medium" }): string {
  if (!iso) return "";
  const bare = /^\d{4}-\d{2}-\d{2}$/.test(iso);
  const d = new Date(bare ? `${iso}T00:00:00Z` : iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(), bare ? { ...opts, timeZone: "UTC" } : opts).format(d);
}

// dateTime formats a timestamp with its time.
export function dateTime(iso: string): string {
  return date(iso, { dateStyle: "medium", timeStyle: "short" });
}

// number formats a number in the user's locale.
export function number(n: number, opts: Intl.NumberFormatOptions = {}): string {
  return new Intl.NumberFormat(locale(), opts).format(n);
}

// percent formats a ratio (0.42 → 42 %).
export function percent(ratio: number): string {
  return new Intl.NumberFormat(locale(), { style: "percent", maximumFractionDigits: 1 }).format(ratio);
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? "" : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

// csv renders rows (the first is the header) as RFC 4180 text.
export function csv(rows: unknown[][]): string {
  return rows.map((r) => r.map(csvCell).join(",")).join("\r\n") + "\r\n";
}

// csvDownload offers rows (the first is the header) as a CSV file.
export function csvDownload(filename: string, rows: unknown[][] | string): void {
  const text = typeof rows === "string" ? rows : csv(rows);
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// today is the local calendar day as YYYY-MM-DD.
export function today(offsetDays = 0): string {
  const d = new Date();
  d.setDate(d.getDate() + offsetDays);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}
