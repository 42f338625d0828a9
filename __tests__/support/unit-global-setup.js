/**
 * jest globalSetup of the unit tests: one temporary directory per run, removed when the run ends.
 * cdktf's `Testing.app()` and `Testing.fullSynth()` write every synthesis to a fresh
 * `os.tmpdir()/cdktf.outdir.*` and never remove it (about 450 per run), and the scripts the tests
 * run make scratch files of their own. With TMPDIR pointing here, in jest's process and so in every
 * worker and child process it starts, what a run writes goes when it ends (a killed run leaves its
 * one `platform-unit-*` directory behind).
 * Plain JavaScript, importing nothing of the project: jest loads it before any transform.
 */
const { mkdtempSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join } = require("node:path");

module.exports = async () => {
  const runTmp = mkdtempSync(join(tmpdir(), "platform-unit-"));
  process.env.PLATFORM_UNIT_TMPDIR = runTmp;
  process.env.PLATFORM_UNIT_TMPDIR_BEFORE = process.env.TMPDIR ?? "";
  process.env.TMPDIR = runTmp;
};
