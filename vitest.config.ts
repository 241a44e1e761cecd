import { defineConfig } from "vitest/config";

// "source" makes workspace packages resolve to their TypeScript sources (see each package's
// "exports"), so tests need no build first. No "import" here: vitest hands these to Node as
// --conditions, and a forced "import" makes `require("pg-pool")` inside pg load its ESM build
// (Node and Vite add "import" by themselves wherever it applies).
const conditions = ["source", "node", "default"];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ["source"] } },
  test: {
    include: ["packages/*/test/**/*.test.ts", "examples/*/test/**/*.test.ts"],
    globalSetup: ["test/postgres-global-setup.ts"],
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
