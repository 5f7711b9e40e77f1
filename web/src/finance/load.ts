// useLoad runs an API read when its inputs change and keeps the answer,
// the problem the API gave instead, and whether it is under way. A
// later read supersedes an earlier one still running.

import { useEffect, useState } from 'preact/hooks';

import { ProblemError } from '../api';

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
}

/** problemText is what a failed read says to the user. */
export function problemText(e: unknown): string {
  if (e instanceof ProblemError) {
    const fields = e.errors ? Object.entries(e.errors).map(([k, v]) => `${k} ${v}`) : [];
    return [e.title, e.detail, ...fields].filter(Boolean).join(': ');
  }
  return e instanceof Error ? e.message : String(e);
}

export function useLoad<T>(read: (() => Promise<T>) | null, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>({ data: null, error: null, loading: read != null });
  useEffect(() => {
    if (!read) {
      setState({ data: null, error: null, loading: false });
      return;
    }
    let live = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    read().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (e) => live && setState({ data: null, error: problemText(e), loading: false }),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return state;
}
