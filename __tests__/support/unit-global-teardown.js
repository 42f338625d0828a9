/** jest globalTeardown of the unit tests: removes the run's temporary directory (unit-global-setup.js). */
const { rmSync } = require("node:fs");

module.exports = async () => {
  const runTmp = process.env.PLATFORM_UNIT_TMPDIR;
  if (!runTmp) return;
  rmSync(runTmp, { recursive: true, force: true });
  if (process.env.PLATFORM_UNIT_TMPDIR_BEFORE) process.env.TMPDIR = process.env.PLATFORM_UNIT_TMPDIR_BEFORE;
  else delete process.env.TMPDIR;
};
