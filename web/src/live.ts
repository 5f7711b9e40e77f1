// live is the one WebSocket helper of the console: a connection to the
// WebSocket API that subscribes, counts as live only once the API has
// acknowledged every subscription, pings within API Gateway's idle
// limit (10 minutes), and after a drop connects and subscribes again,
// waiting longer each time.
import { useEffect, useRef, useState } from "preact/hooks";

import { config } from "./config";

// LiveState is where the connection stands: connecting (first time),
// live (every subscription acknowledged), reconnecting (dropped, trying
// again) or offline (no WebSocket API configured).
export type LiveState = "connecting" | "live" | "reconnecting" | "offline";

// PingInterval is how often a connection pings: well within API
// Gateway's 10-minute idle timeout. The API answers {"type":"pong"}.
export const PingInterval = 5 * 60 * 1000;

export interface LiveOptions {
  // url gives the WebSocket URL with its query (?ticket=…), config().ws_url
  // if absent. A function is called for every connection (a ticket opens
  // one); it throws to retry later, and gives "" when there is no API.
  url?: string | (() => Promise<string>);
  // subscribe are the frames sent after every (re)connection; each is
  // answered by a {"type":"subscribed"} frame.
  subscribe: Record<string, unknown>[];
  // onMessage gets every other frame the API pushes.
  onMessage: (msg: Record<string, unknown>) => void;
  // onSubscribed runs once every subscription of a connection is
  // acknowledged: re-read what the pushes keep current, so nothing
  // pushed before (or between two connections) is missed.
  onSubscribed?: () => void;
}

// useLive keeps a live connection while the component is mounted and
// deps are unchanged, and returns its state. The callbacks may change
// at every render; the latest ones are called.
export function useLive(o: LiveOptions, deps: unknown[]): LiveState {
  const [state, setState] = useState<LiveState>("connecting");
  const opts = useRef(o);
  opts.current = o;
  useEffect(() => {
    let ws: WebSocket | null = null;
    let stopped = false;
    let retry = 1000;
    let ping: ReturnType<typeof setInterval> | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const again = () => {
      clearInterval(ping);
      if (stopped) return;
      setState("reconnecting");
      timer = setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30_000);
    };
    const connect = async () => {
      const u = opts.current.url;
      let url: string;
      try {
        url = typeof u === "function" ? await u() : u || config().ws_url;
      } catch {
        again();
        return;
      }
      if (stopped) return;
      if (!url) {
        setState("offline");
        return;
      }
      const sock = new WebSocket(url);
      ws = sock;
      const frames = opts.current.subscribe;
      let acked = 0;
      sock.onopen = () => {
        for (const f of frames) sock.send(JSON.stringify(f));
        if (frames.length === 0) {
          retry = 1000;
          setState("live");
          opts.current.onSubscribed?.();
        }
        ping = setInterval(() => {
          if (sock.readyState === WebSocket.OPEN) sock.send(JSON.stringify({ action: "ping" }));
        }, PingInterval);
      };
      sock.onmessage = (e) => {
        let m: Record<string, unknown>;
        try {
          m = JSON.parse(String(e.data));
        } catch {
          return; // not JSON: ignore
        }
        if (m.type === "pong") return;
        if (m.type === "subscribed") {
          if (++acked === frames.length) {
            retry = 1000;
            setState("live");
            opts.current.onSubscribed?.();
          }
          return;
        }
        if (m.type === "error" && acked < frames.length) {
          // A subscription refused (or the API unable to tell): try again later.
          sock.close();
          return;
        }
        opts.current.onMessage(m);
      };
      sock.onclose = () => {
        if (ws === sock) ws = null;
        again();
      };
    };
    setState("connecting");
    void connect();
    return () => {
      stopped = true;
      clearTimeout(timer);
      clearInterval(ping);
      ws?.close();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return state;
}
