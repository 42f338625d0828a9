/**
 * The order of the end-to-end suites, and the list the shared sandbox reads (shared-sandbox.ts).
 * The suites with an emulator of their own and the longest chains start first, so that they run
 * while `up` deploys the shared sandbox. Every suite sharing the sandbox is dispatched before the
 * sandbox suite, whose `cdktf destroy` and `down` wait until each that has started has ended: by
 * then each has started, with any number of workers (one included).
 */
const Sequencer = require("@jest/test-sequencer").default;
const { basename } = require("node:path");

/** Files not named here keep jest's order, after these. */
const ORDER = [
  "faults-and-rotation.test.ts",
  "operator-bootstrap.test.ts",
  // Exports and validates every stack before it needs the sandbox.
  "hcl-export.test.ts",
  "registry.test.ts",
  "plan-role-calls.test.ts",
  // Next, once plan-role-calls (the shortest sharing suite) ends: its checks of `up` and the
  // operator's reads then run beside registry and hcl-export, its destroy after them.
  "sandbox.test.ts",
  "registry-conformance.test.ts",
  "validate.test.ts",
];
const rank = (t) => {
  const i = ORDER.indexOf(basename(t.path));
  return i === -1 ? ORDER.length : i;
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

/** The order itself, for the test that every sharing suite precedes the sandbox suite (e2e-sequencer.test.ts). */
E2eSequencer.ORDER = ORDER;

module.exports = E2eSequencer;
