/**
 * End-to-end tests: the cdktf CLI, Terraform and OpenTofu, real providers, the AWS emulator.
 * Three suites at a time on 2 cores: each starts its own emulator on a free loopback port and
 * spends most of its time waiting on it and on the provider's waiters. Measured on this 2-core
 * machine, e2e alone: 2 workers 556 s (beside the unit tests), 3 workers 447 s; the longest
 * suite (local-environment) is then the whole wall time.
 */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__/e2e"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  testTimeout: 300_000,
  maxWorkers: 3,
  testSequencer: "<rootDir>/__tests__/support/e2e-sequencer.js",
  globalSetup: "<rootDir>/__tests__/support/e2e-global-setup.ts",
  globalTeardown: "<rootDir>/__tests__/support/e2e-global-teardown.ts",
  reporters: ["default", "<rootDir>/__tests__/support/e2e-reporter.js"],
};
