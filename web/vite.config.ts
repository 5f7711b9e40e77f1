import preact from "@preact/preset-vite";
import { defineConfig } from "vite";

// Everything is bundled: no CDN, no external font, nothing fetched at run
// time but the API and /config.json of the same origin.
export default defineConfig({
  plugins: [preact({ prerender: { enabled: false } })],
  base: "./",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
  },
});
