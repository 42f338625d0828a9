/**
 * End-to-end tests: the cdktf CLI, Terraform and OpenTofu, real providers, the AWS emulator.
 * Two suites at a time: each starts its own emulator on a free loopback port and spends most
 * of its time waiting on it and on the provider's waiters, so two overlap on 2 cores.
 */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__/e2e"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  testTimeout: 300_000,
  maxWorkers: 2,
};
