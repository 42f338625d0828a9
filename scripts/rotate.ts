/**
 * `npm run rotate -- <env> <ecr|s3> [--retire]`: moves one user's key rotation
 * a step in environments/key-rotation.json, a committed file, so the rotation
 * is reviewed like any change and the same commit always plans the same way.
 *   rotate   a new key in the free slot becomes the published one; the old one keeps working
 *   --retire the previous key is deactivated; a second --retire deletes it
 * Exit 0 written, 1 refused (nothing written), 2 bad usage.
 */
import { execFileSync } from "node:child_process";
import { basename, dirname, join } from "node:path";
import { ENVIRONMENTS, loadEnvironments, ConfigError, type EnvironmentConfig } from "../environments";
import {
  KEY_USERS,
  nextRotation,
  parseKeyRotation,
  readKeyRotation,
  rotationTransitionProblem,
  writeKeyRotation,
  type KeyRotationFile,
  type KeyUser,
  type RotationStep,
} from "../environments/key-rotation";
import { credentialsStackName, githubStackName } from "../environments/naming";
import { PROJECT_ROOT } from "./lib/toolchain";

const USAGE = "usage: npm run rotate -- <environment> <ecr|s3> [--retire]";
/** Untrusted text (an argument) shown as a JSON string: quotes, control characters and line feeds escaped. */
const shown = (text: string) => JSON.stringify(text);

export interface RotateOptions {
  /** Validated environments. @default the committed ones */
  readonly environments?: () => readonly EnvironmentConfig[];
  /**
   * The file as last committed, to refuse a second step before the first is
   * committed and deployed. @default `git show HEAD:<file>`, none outside git
   */
  readonly baseline?: (file: string) => KeyRotationFile | undefined;
}

/** The committed version of the rotation file, or undefined when git or the file in HEAD is unavailable. */
function committedRotation(file: string, names: readonly string[]): KeyRotationFile | undefined {
  try {
    const dir = dirname(file);
    const prefix = execFileSync("git", ["rev-parse", "--show-prefix"], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const text = execFileSync("git", ["show", `HEAD:${prefix}${basename(file)}`], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    const parsed = parseKeyRotation(JSON.parse(text), names);
    return parsed.problems.length === 0 ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function runRotate(args: readonly string[], file: string, write: (line: string) => void, options: RotateOptions = {}): number {
  const positional = args.filter((a) => !a.startsWith("-"));
  const flags = args.filter((a) => a.startsWith("-"));
  const [envName, user] = positional;
  const badFlag = flags.find((f) => f !== "--retire");
  if (positional.length !== 2 || badFlag !== undefined || !KEY_USERS.includes(user as KeyUser)) {
    const why =
      badFlag !== undefined
        ? `unknown option ${shown(badFlag)}`
        : positional.length !== 2
          ? `expected 2 arguments, got ${positional.length}`
          : `${shown(user)} is not a key user (${KEY_USERS.join(" or ")})`;
    write(`${why}\n${USAGE}\n`);
    return 2;
  }
  let envs: readonly EnvironmentConfig[];
  try {
    envs = (options.environments ?? (() => loadEnvironments(ENVIRONMENTS)))();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    write(`${err.message}\nfix the configuration first; nothing written\n`);
    return 1;
  }
  const env = envs.find((e) => e.name === envName);
  if (!env) {
    const sameCase = envs.find((e) => e.name.toLowerCase() === envName.toLowerCase());
    write(
      `unknown environment ${shown(envName)}${sameCase ? ` (names are case-sensitive: did you mean "${sameCase.name}"?)` : ""} (one of: ${envs.map((e) => e.name).join(", ")})\n${USAGE}\n`,
    );
    return 2;
  }
  const names = envs.map((e) => e.name);
  const { data, problems } = readKeyRotation(file, names);
  if (problems.length > 0) {
    write(`${problems.map((p) => `${p}\n`).join("")}nothing written\n`);
    return 1;
  }
  const step: RotationStep = flags.includes("--retire") ? "retire" : "rotate";
  const keyUser = user as KeyUser;
  const current = data[env.name]?.[keyUser] ?? env.keyRotation[keyUser];
  let next;
  try {
    next = nextRotation(current, step);
  } catch (err) {
    write(`${env.name} ${user}: ${(err as Error).message}; nothing written\n`);
    return 1;
  }
  const committed = (options.baseline ?? ((f) => committedRotation(f, names)))(file);
  const jump = committed && rotationTransitionProblem(committed[env.name]?.[keyUser], next);
  if (jump) {
    write(`${env.name} ${user}: ${jump}; commit and deploy the step already in ${basename(file)} first; nothing written\n`);
    return 1;
  }
  try {
    writeKeyRotation({ ...data, [env.name]: { ...data[env.name], [keyUser]: next } }, file);
  } catch (err) {
    write(`${env.name} ${user}: cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
    return 1;
  }
  const github = user === "ecr" && env.github.publishStaticEcrKeys ? ` ${githubStackName(env)}` : "";
  // The GitHub secrets are read from the keys' SSM parameters: one stack at a time, credentials first.
  const deploy = `npx cdktf deploy ${credentialsStackName(env)}${github ? `${github} --parallelism 1` : ""}`;
  const what =
    step === "rotate"
      ? `generation ${next.generation}: a new key becomes the published one (SSM, outputs${github ? ", GitHub secrets" : ""}); the previous key keeps working until retired`
      : next.previousKey === "inactive"
        ? "the previous key is deactivated (AWS refuses it; retire again to delete it, or undo this commit to re-activate it)"
        : "the previous key is deleted";
  write(`${env.name} ${user}: ${what}\nwritten ${file}; commit it, then: ${deploy}\n`);
  return 0;
}

if (require.main === module) {
  try {
    process.exitCode = runRotate(process.argv.slice(2), join(PROJECT_ROOT, "environments", "key-rotation.json"), (l) => process.stdout.write(l));
  } catch (err) {
    process.stdout.write(`rotate: ${err instanceof Error ? err.message : String(err)}; nothing written\n`);
    process.exitCode = 1;
  }
}
