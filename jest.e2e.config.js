/**
 * End-to-end tests: the cdktf CLI, Terraform and OpenTofu, real providers, the AWS emulator.
 * Five suites at a time on 2 cores: most of a suite's time is spent waiting (on `up`, on the
 * emulator, on the provider's waiters), and a suite waiting for the shared sandbox holds a worker
 * without using a core (the order is e2e-sequencer.js's). Measured: 4 workers 276 s (476 CPU-s),
 * 6 workers 283 s (505 CPU-s: more processes competing for 2 cores cost more CPU), e2e alone; the
 * whole test command with 6 workers, 256 s against 265 s with 5, within the spread of two runs.
 */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__/e2e"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  testTimeout: 300_000,
  maxWorkers: 5,
  testSequencer: "<rootDir>/__tests__/support/e2e-sequencer.js",
  globalSetup: "<rootDir>/__tests__/support/e2e-global-setup.ts",
  globalTeardown: "<rootDir>/__tests__/support/e2e-global-teardown.ts",
  reporters: ["default", "<rootDir>/__tests__/support/e2e-reporter.js"],
};
