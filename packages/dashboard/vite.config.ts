import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `vite dev` serves the app and forwards the API to a running `hookline serve`
// (HOOKLINE_URL, default http://127.0.0.1:8080), so the app and the API share one origin.
const target = process.env.HOOKLINE_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [react()],
  // The typed client's package exports its TypeScript source under "source".
  resolve: { conditions: ["source"] },
  build: { outDir: "dist", emptyOutDir: true, assetsDir: "assets" },
  server: { proxy: { "/v1": { target, changeOrigin: false } } },
});
