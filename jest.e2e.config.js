/** End-to-end tests: OpenTofu, real providers, the AWS emulator. Sequential and slow by nature. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__/e2e"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  testTimeout: 300_000,
};
