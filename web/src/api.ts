// api is the console's one way to the Innkeeper HTTP API: same origin, the
// signed-in key as a bearer token, JSON in and out, problem+json as a
// ProblemError.
import type { Schemas } from "./api/schema";
import { currentKey } from "./session";

export interface ApiInit {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  // idempotent sends an Idempotency-Key, as every write that takes one
  // wants; true for POST, PUT, PATCH and DELETE unless set to false.
  idempotent?: boolean;
  // key overrides the session's key (sign-in checks a key before keeping it).
  key?: string;
  signal?: AbortSignal;
}

type Problem = Schemas["Problem"];

// ProblemError is an RFC 9457 problem the API answered (the document's
// Problem schema), or what stands in for one when the answer is not JSON.
export class ProblemError extends Error {
  status: number;
  type: Problem["type"];
  title: Problem["title"];
  detail: Problem["detail"];
  errors: NonNullable<Problem["errors"]>;
  body: Partial<Problem> & Record<string, unknown>;

  constructor(status: number, body: Partial<Problem> & Record<string, unknown>) {
    const title = String(body.title ?? `HTTP ${status}`);
    const detail = String(body.detail ?? "");
    super(detail || title);
    this.name = "ProblemError";
    this.status = status;
    this.type = String(body.type ?? "about:blank");
    this.title = title;
    this.detail = detail;
    this.errors = body.errors ?? {};
    this.body = body;
  }

  // kind is the last segment of the problem type ("sold-out", "payment-declined").
  get kind(): string {
    return this.type.split("/").pop() ?? this.type;
  }
}

function request(path: string, init: ApiInit, accept: string): Promise<Response> {
  const method = (init.method ?? (init.body !== undefined ? "POST" : "GET")).toUpperCase();
  const headers: Record<string, string> = { Accept: accept, ...(init.headers ?? {}) };
  const key = init.key ?? currentKey();
  if (key) headers.Authorization = `Bearer ${key}`;
  let body: string | undefined;
  if (init.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(init.body);
  }
  const write = method !== "GET" && method !== "HEAD";
  if ((init.idempotent ?? write) && !headers["Idempotency-Key"]) {
    headers["Idempotency-Key"] = crypto.randomUUID();
  }
  return fetch(path, { method, headers, body, credentials: "omit", signal: init.signal });
}

async function fail(res: Response): Promise<never> {
  let body: Partial<Problem> & Record<string, unknown> = { title: res.statusText };
  const type = res.headers.get("Content-Type") ?? "";
  if (type.includes("json")) {
    try {
      body = await res.json();
    } catch {
      /* not JSON after all: keep the status text */
    }
  }
  throw new ProblemError(res.status, body);
}

// api sends a request and returns the JSON answer (undefined for 204).
export async function api<T>(path: string, init: ApiInit = {}): Promise<T> {
  const res = await request(path, init, "application/json");
  if (!res.ok) return fail(res);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

// apiText sends a request and returns the body as text (CSV reports).
export async function apiText(path: string, init: ApiInit = {}, accept = "text/csv"): Promise<string> {
  const res = await request(path, init, accept);
  if (!res.ok) return fail(res);
  return res.text();
}

// query builds a query string from the defined values.
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}
