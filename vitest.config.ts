import { defineConfig } from "vitest/config";

// "source" makes workspace packages resolve to their TypeScript sources (see each package's
// "exports"), so tests need no build first.
const conditions = ["source", "node", "import", "default"];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ["source"] } },
  test: {
    include: ["packages/*/test/**/*.test.ts"],
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
