/**
 * The sandbox suite destroys the shared deployment and takes it down once every other sharing suite that has
 * started has ended; that is every sharing suite only when each is dispatched before it.
 */
import { SHARING_SUITES } from "./shared-sandbox-files";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ORDER } = require("./e2e-sequencer") as { ORDER: readonly string[] };

describe("the end-to-end sequencer", () => {
  it.each(SHARING_SUITES.filter((s) => s !== "sandbox.test.ts"))("dispatches %s before the sandbox suite", (suite) => {
    expect(ORDER).toContain("sandbox.test.ts");
    expect({ suite, position: ORDER.indexOf(suite) }).toEqual({ suite, position: expect.any(Number) });
    expect(ORDER.indexOf(suite)).toBeGreaterThanOrEqual(0);
    expect(ORDER.indexOf(suite)).toBeLessThan(ORDER.indexOf("sandbox.test.ts"));
  });
});
