// config is /config.json, written by whoever serves the console (the
// devstack locally, the deployment in the cloud): the stage and the
// WebSocket API's URL.
export interface Config {
  stage: string;
  ws_url: string;
}

let loaded: Config = { stage: "unknown", ws_url: "" };

// loadConfig reads /config.json once at start.
export async function loadConfig(): Promise<Config> {
  try {
    const res = await fetch("config.json", { cache: "no-store" });
    if (res.ok) loaded = { ...loaded, ...(await res.json()) };
  } catch {
    /* no config: no live updates, the rest works */
  }
  return loaded;
}

// config is the loaded configuration.
export function config(): Config {
  return loaded;
}
