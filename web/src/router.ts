// router is hash routing (#/book/{slug}), which works from S3 with no
// rewrites.
import { useEffect, useState } from "preact/hooks";

// useHashPath is the path after "#", re-rendered when it changes.
export function useHashPath(): string {
  const [path, setPath] = useState(current());
  useEffect(() => {
    const f = () => setPath(current());
    window.addEventListener("hashchange", f);
    return () => window.removeEventListener("hashchange", f);
  }, []);
  return path;
}

function current(): string {
  const h = window.location.hash.replace(/^#/, "");
  return h.split("?")[0] || "/";
}

// hashQuery is the query after the hash path (#/desk?date=…).
export function hashQuery(): URLSearchParams {
  const h = window.location.hash;
  const i = h.indexOf("?");
  return new URLSearchParams(i >= 0 ? h.slice(i + 1) : "");
}

// navigate goes to a hash path.
export function navigate(path: string): void {
  window.location.hash = path;
}

// match matches a path against a pattern with {params}; null if it does not.
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split("/");
  const a = path.split("/");
  if (p.length !== a.length) return null;
  const out: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith("{") && p[i].endsWith("}")) {
      if (!a[i]) return null;
      out[p[i].slice(1, -1)] = decodeURIComponent(a[i]);
    } else if (p[i] !== a[i]) return null;
  }
  return out;
}
