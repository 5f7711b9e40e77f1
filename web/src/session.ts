// session keeps the signed-in API key in sessionStorage only (gone with
// the tab), with the role and name GET /v1/me answered for it.
import { useEffect, useState } from "preact/hooks";

import { api } from "./api";
import type { Answer, Schemas } from "./api/schema";

export type Role = Schemas["StaffRole"];

export interface Session {
  key: string;
  role: Role;
  name: string;
}

const storageKey = "innkeeper.session";
const listeners = new Set<() => void>();

function read(): Session | null {
  try {
    const raw = sessionStorage.getItem(storageKey);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

// currentSession is the signed-in session, or null.
export function currentSession(): Session | null {
  return read();
}

// currentKey is the signed-in key, or "".
export function currentKey(): string {
  return read()?.key ?? "";
}

// signIn checks key with GET /v1/me and keeps it for this tab.
export async function signIn(key: string): Promise<Session> {
  const me = await api<Answer<"getMe">>("/v1/me", { key: key.trim() });
  const s: Session = { key: key.trim(), role: me.role, name: me.name };
  sessionStorage.setItem(storageKey, JSON.stringify(s));
  listeners.forEach((f) => f());
  return s;
}

// signOut forgets the key.
export function signOut(): void {
  sessionStorage.removeItem(storageKey);
  listeners.forEach((f) => f());
}

// canFinance and canDesk say which views a role sees.
export const canFinance = (s: Session | null): boolean => s?.role === "finance" || s?.role === "admin";
export const canDesk = (s: Session | null): boolean => s?.role === "staff" || s?.role === "admin";

// useSession is the session, re-rendered on sign-in and sign-out.
export function useSession(): Session | null {
  const [s, set] = useState(read());
  useEffect(() => {
    const f = () => set(read());
    listeners.add(f);
    return () => void listeners.delete(f);
  }, []);
  return s;
}
