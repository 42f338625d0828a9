/**
 * The order of the end-to-end suites, and the list the shared sandbox reads (shared-sandbox.ts).
 * The suite on the critical path starts first; the sandbox suite runs last, because its `down`
 * test waits until every other suite that shares the sandbox has released it.
 */
const Sequencer = require("@jest/test-sequencer").default;
const { basename } = require("node:path");

/** Longest first, measured on a 2-core machine; files not named here keep jest's order, after these. */
const FIRST = [
  "local-environment.test.ts",
  "key-rotation.test.ts",
  "deploy-faults.test.ts",
  "registry.test.ts",
  "hcl-export.test.ts",
  "plan-role-calls.test.ts",
  "registry-conformance.test.ts",
];
const LAST = ["sandbox.test.ts"];
const rank = (t) => {
  const name = basename(t.path);
  if (FIRST.includes(name)) return FIRST.indexOf(name);
  if (LAST.includes(name)) return FIRST.length + 1 + LAST.indexOf(name);
  return FIRST.length;
};

class E2eSequencer extends Sequencer {
  async sort(tests) {
    const byJest = await super.sort(tests);
    const sorted = byJest
      .map((t, i) => [t, i])
      .sort(([a, i], [b, j]) => rank(a) - rank(b) || i - j)
      .map(([t]) => t);
    globalThis[Symbol.for("platform.e2e.planned-tests")] = sorted.map((t) => t.path);
    return sorted;
  }
}

module.exports = E2eSequencer;
