import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts"],
    // Each file gets a fresh module graph; tests inside a file run in order.
    pool: "forks",
    testTimeout: 30_000,
  },
});
