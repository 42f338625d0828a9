/** Unit tests: ts-jest transpiles only (tsc --noEmit type-checks once in scripts/test.sh). */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  testPathIgnorePatterns: ["/__tests__/e2e/"],
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  setupFilesAfterEnv: ["<rootDir>/__tests__/setup.ts"],
  // A temporary directory per run, removed at its end: what cdktf's Testing and the scripts write there.
  globalSetup: "<rootDir>/__tests__/support/unit-global-setup.js",
  globalTeardown: "<rootDir>/__tests__/support/unit-global-teardown.js",
  // Every core (jest's default leaves one free): on 2 cores the suite takes 22 s instead of 38 s.
  maxWorkers: "100%",
  // Beside the end-to-end suites a CPU-heavy test (the IAM simulator over every statement) can take
  // longer than jest's 5 s default on 2 cores: the tests assert results, not speed.
  testTimeout: 30_000,
};
