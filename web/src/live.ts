// live is a WebSocket to the WebSocket API that reconnects and subscribes
// again after a drop, and pings within API Gateway's idle limit.
import { useEffect, useState } from "preact/hooks";

import { config } from "./config";

export type LiveState = "connecting" | "live" | "offline";

export interface LiveOptions {
  // url is the WebSocket URL with its query (?ticket=…); config().ws_url if empty.
  url?: string | (() => Promise<string>);
  // subscribe are the frames sent after every (re)connection.
  subscribe: Record<string, unknown>[];
  onMessage: (msg: Record<string, unknown>) => void;
}

// useLive keeps a live connection while the component is mounted, and
// returns its state.
export function useLive(o: LiveOptions, deps: unknown[]): LiveState {
  const [state, setState] = useState<LiveState>("connecting");
  useEffect(() => {
    let ws: WebSocket | null = null;
    let stopped = false;
    let retry = 500;
    let ping: ReturnType<typeof setInterval> | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const connect = async () => {
      let url = typeof o.url === "function" ? await o.url().catch(() => "") : o.url || config().ws_url;
      if (stopped) return;
      if (!url) {
        setState("offline");
        return;
      }
      setState("connecting");
      ws = new WebSocket(url);
      ws.onopen = () => {
        retry = 500;
        setState("live");
        for (const f of o.subscribe) ws?.send(JSON.stringify(f));
        ping = setInterval(() => ws?.send(JSON.stringify({ action: "ping" })), 5 * 60 * 1000);
      };
      ws.onmessage = (e) => {
        try {
          o.onMessage(JSON.parse(String(e.data)));
        } catch {
          /* not JSON: ignore */
        }
      };
      ws.onclose = () => {
        clearInterval(ping);
        if (stopped) return;
        setState("offline");
        timer = setTimeout(connect, retry);
        retry = Math.min(retry * 2, 15000);
      };
      url = "";
    };
    connect();
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
