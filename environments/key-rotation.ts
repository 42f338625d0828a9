import { readFileSync, renameSync, writeFileSync } from "node:fs";
import type { KeyRotation } from "../constructs/rotating-access-key";
import type { EnvironmentInput } from "./schema";

/** The users whose keys rotate. */
export const KEY_USERS = ["ecr", "s3"] as const;
export type KeyUser = (typeof KEY_USERS)[number];

/** environments/key-rotation.json: per environment and user, where the rotation stands. Absent means generation 1. */
export type KeyRotationFile = Record<string, Partial<Record<KeyUser, KeyRotation>>>;

export function readKeyRotation(file: string): KeyRotationFile {
  return JSON.parse(readFileSync(file, "utf8")) as KeyRotationFile;
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

/** The environment inputs with their rotation state from the file (schema validates it with the rest). */
export function withKeyRotation(inputs: readonly EnvironmentInput[], rotation: KeyRotationFile): EnvironmentInput[] {
  return inputs.map((input) => (rotation[input.name] ? { ...input, keyRotation: { ...input.keyRotation, ...rotation[input.name] } } : input));
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
