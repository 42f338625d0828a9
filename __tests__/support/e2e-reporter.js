/**
 * Marks, from the jest parent process, when each end-to-end test file starts and when it ends,
 * whatever happened inside it (no test left after a `-t` filter, a file that fails to load, a
 * crashed worker): the sandbox suite destroys the environment and takes the shared sandbox down
 * once every other suite that started has ended (shared-sandbox.ts). Files named like shared-sandbox-files.ts's paths().
 */
const { mkdirSync, writeFileSync } = require("node:fs");
const { basename, join } = require("node:path");

function mark(kind, testPath) {
  const dir = process.env.PLATFORM_E2E_SHARED_DIR;
  if (!dir) return;
  mkdirSync(join(dir, kind), { recursive: true });
  writeFileSync(join(dir, kind, basename(testPath)), new Date().toISOString());
}

class E2eReporter {
  onTestFileStart(test) {
    mark("started", test.path);
  }
  onTestFileResult(test) {
    mark("finished", test.path);
  }
}

module.exports = E2eReporter;
