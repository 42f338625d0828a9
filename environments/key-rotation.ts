import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import type { KeyRotation } from "../constructs/rotating-access-key";
import { keyRotationSchema, type EnvironmentInput } from "./schema";

/** The users whose keys rotate. */
export const KEY_USERS = ["ecr", "s3"] as const;
export type KeyUser = (typeof KEY_USERS)[number];

/** environments/key-rotation.json: per environment and user, where the rotation stands. Absent means generation 1. */
export type KeyRotationFile = Record<string, Partial<Record<KeyUser, KeyRotation>>>;

/** Where problems of the rotation file are reported: `key-rotation.json.<env>.<user>.<field>: ...`. */
export const KEY_ROTATION_FILE_LABEL = "key-rotation.json";

export type ParsedKeyRotation = { readonly data: KeyRotationFile; readonly problems: readonly string[] };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The rotation file's content checked whole: an object of known environment
 * names (exact letter case), each with only `ecr` and `s3` entries that the
 * schema accepts. A name that only differs in case, or no environment at all,
 * is refused: ignoring it would silently skip a rotation someone asked for.
 */
export function parseKeyRotation(raw: unknown, environmentNames: readonly string[]): ParsedKeyRotation {
  const at = (path: string, problem: string) => `${KEY_ROTATION_FILE_LABEL}${path}: ${problem}`;
  if (!isRecord(raw)) {
    const what = raw === null ? "null" : Array.isArray(raw) ? "an array" : typeof raw;
    return { data: {}, problems: [at("", `must be a JSON object of environments ({} when nothing was rotated), not ${what}`)] };
  }
  const problems: string[] = [];
  const data: KeyRotationFile = {};
  for (const [env, entry] of Object.entries(raw)) {
    const shown = JSON.stringify(env);
    if (!environmentNames.includes(env)) {
      const sameCase = environmentNames.find((n) => n.toLowerCase() === env.toLowerCase());
      problems.push(
        at(
          `[${shown}]`,
          sameCase
            ? `no environment is named ${shown}; names are case-sensitive: did you mean "${sameCase}"?`
            : `no environment is named ${shown} (environments: ${environmentNames.join(", ")})`,
        ),
      );
      continue;
    }
    if (!isRecord(entry)) {
      problems.push(at(`.${env}`, `must be an object with "ecr" and/or "s3" entries, not ${entry === null ? "null" : typeof entry}`));
      continue;
    }
    const users: Partial<Record<KeyUser, KeyRotation>> = {};
    for (const [user, value] of Object.entries(entry)) {
      if (!(KEY_USERS as readonly string[]).includes(user)) {
        problems.push(at(`.${env}[${JSON.stringify(user)}]`, `is not a key user (one of: ${KEY_USERS.join(", ")}; case-sensitive)`));
        continue;
      }
      const parsed = keyRotationSchema.safeParse(value);
      if (parsed.success) users[user as KeyUser] = parsed.data;
      else for (const issue of parsed.error.issues) problems.push(at(`.${env}.${user}${issue.path.map((p) => `.${String(p)}`).join("")}`, issue.message));
    }
    data[env] = users;
  }
  return { data, problems };
}

/** Reads and checks the file; a missing or unreadable file, or text that is not JSON, is a problem too. */
export function readKeyRotation(file: string, environmentNames: readonly string[]): ParsedKeyRotation {
  if (!existsSync(file))
    return { data: {}, problems: [`${KEY_ROTATION_FILE_LABEL}: ${file} is missing: restore it from git (it holds {} when nothing was rotated)`] };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    return { data: {}, problems: [`${KEY_ROTATION_FILE_LABEL}: is not valid JSON (${(err as Error).message}): restore it from git`] };
  }
  return parseKeyRotation(raw, environmentNames);
}

/** Writes the file whole or not at all (a rename), sorted, so reviews see one line per change. */
export function writeKeyRotation(data: KeyRotationFile, file: string): void {
  const sorted = Object.fromEntries(
    Object.keys(data)
      .sort()
      .map((env) => [env, Object.fromEntries(Object.entries(data[env]).sort(([a], [b]) => a.localeCompare(b)))]),
  );
  writeFileSync(`${file}.tmp`, `${JSON.stringify(sorted, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

/**
 * Problems of the rotation file, carried by every input merged with it (an
 * enumerable symbol: a spread `{ ...input }` keeps it, the schema ignores it).
 */
const ROTATION_FILE_PROBLEMS = Symbol("key-rotation.json problems");

/** What withKeyRotation found wrong in the file merged into `inputs`; loadEnvironments reports it with the rest. */
export function keyRotationProblemsOf(inputs: readonly unknown[]): readonly string[] {
  const problems = inputs.flatMap((i) => (isRecord(i) ? ((i as { [ROTATION_FILE_PROBLEMS]?: readonly string[] })[ROTATION_FILE_PROBLEMS] ?? []) : []));
  return [...new Set(problems)];
}

/**
 * The environment inputs with their rotation state from the file. Never
 * throws (it runs when environments/index.ts is imported): the file's problems
 * travel with the returned list and loadEnvironments refuses them.
 */
export function withKeyRotation(inputs: readonly EnvironmentInput[], rotation: unknown): EnvironmentInput[] {
  const names = inputs.map((i) => (isRecord(i) && typeof i.name === "string" ? i.name : "")).filter((n) => n !== "");
  const { data, problems } = parseKeyRotation(rotation, names);
  return inputs.map((input) => ({
    ...input,
    ...(isRecord(input) && typeof input.name === "string" && data[input.name] ? { keyRotation: { ...input.keyRotation, ...data[input.name] } } : {}),
    ...(problems.length > 0 ? { [ROTATION_FILE_PROBLEMS]: problems } : {}),
  }));
}

export type RotationStep = "rotate" | "retire";

/**
 * One step of a user's rotation. `rotate` creates a new key and publishes it
 * while the previous one keeps working; `retire` deactivates the previous key,
 * and a second `retire` deletes it. Refuses steps that would lose a key or
 * stack two rotations.
 */
export function nextRotation(current: KeyRotation, step: RotationStep): KeyRotation {
  if (step === "rotate") {
    if (current.previousKey !== "deleted") {
      throw new Error(`the previous key is still ${current.previousKey}: retire it first (a user has two key slots)`);
    }
    return { generation: current.generation + 1, previousKey: "active" };
  }
  if (current.previousKey === "deleted") throw new Error("there is no previous key to retire");
  return { generation: current.generation, previousKey: current.previousKey === "active" ? "inactive" : "deleted" };
}

const INITIAL: KeyRotation = { generation: 1, previousKey: "deleted" };
const same = (a: KeyRotation, b: KeyRotation) => a.generation === b.generation && a.previousKey === b.previousKey;
const show = (r: KeyRotation) => `generation ${r.generation} (previous key ${r.previousKey})`;

/**
 * Why going from `before` to `after` in one commit (one apply) would cut a
 * key off without overlap, or undefined. Allowed: no change, one rotate or
 * retire step, or undoing a deactivation (inactive back to active). Anything
 * else (two generations at once, a new key with the old one already retired,
 * a generation going back) deletes a key some client may still use.
 */
export function rotationTransitionProblem(before: KeyRotation = INITIAL, after: KeyRotation = INITIAL): string | undefined {
  if (same(before, after)) return undefined;
  const oneStep = (["rotate", "retire"] as const).some((step) => {
    try {
      return same(nextRotation(before, step), after);
    } catch {
      return false;
    }
  });
  if (oneStep) return undefined;
  if (before.generation === after.generation && before.previousKey === "inactive" && after.previousKey === "active") return undefined;
  return `${show(before)} -> ${show(after)} in one commit is more than one step: every apply must keep the published key working until the next one is out (rotate, deploy, then retire, each its own commit)`;
}

/** Every user whose rotation moves more than one step between two versions of the file. */
export function rotationTransitionProblems(before: KeyRotationFile, after: KeyRotationFile): string[] {
  const problems: string[] = [];
  for (const env of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    for (const user of KEY_USERS) {
      const problem = rotationTransitionProblem(before[env]?.[user], after[env]?.[user]);
      if (problem) problems.push(`${KEY_ROTATION_FILE_LABEL}.${env}.${user}: ${problem}`);
    }
  }
  return problems;
}
