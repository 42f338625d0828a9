/**
 * `npm run rotate -- <env> <ecr|s3> [--retire]`: moves one user's key rotation
 * a step in environments/key-rotation.json, a committed file, so the rotation
 * is reviewed like any change and the same commit always plans the same way.
 *   rotate   a new key in the free slot becomes the published one; the old one keeps working
 *   --retire the previous key is deactivated; a second --retire deletes it
 * Exit 0 written, 1 refused (nothing written), 2 bad usage.
 */
import { join } from "node:path";
import { ENVIRONMENTS, loadEnvironments } from "../environments";
import { KEY_USERS, nextRotation, readKeyRotation, writeKeyRotation, type KeyUser, type RotationStep } from "../environments/key-rotation";
import { credentialsStackName, githubStackName } from "../environments/naming";
import { PROJECT_ROOT } from "./lib/toolchain";

const USAGE = "usage: npm run rotate -- <environment> <ecr|s3> [--retire]";

export function runRotate(args: readonly string[], file: string, write: (line: string) => void): number {
  const positional = args.filter((a) => !a.startsWith("--"));
  const flags = args.filter((a) => a.startsWith("--"));
  const [envName, user] = positional;
  if (positional.length !== 2 || flags.some((f) => f !== "--retire") || !KEY_USERS.includes(user as KeyUser)) {
    write(`${USAGE}\n`);
    return 2;
  }
  const env = loadEnvironments(ENVIRONMENTS).find((e) => e.name === envName);
  if (!env) {
    write(`unknown environment '${envName}' (one of: ${ENVIRONMENTS.map((e) => e.name).join(", ")})\n${USAGE}\n`);
    return 2;
  }
  const step: RotationStep = flags.includes("--retire") ? "retire" : "rotate";
  const data = readKeyRotation(file);
  const current = data[env.name]?.[user as KeyUser] ?? env.keyRotation[user as KeyUser];
  let next;
  try {
    next = nextRotation(current, step);
  } catch (err) {
    write(`${env.name} ${user}: ${(err as Error).message}; nothing written\n`);
    return 1;
  }
  writeKeyRotation({ ...data, [env.name]: { ...data[env.name], [user]: next } }, file);
  const deploy = `npx cdktf deploy ${credentialsStackName(env)}`;
  const github = user === "ecr" && env.github.publishStaticEcrKeys ? ` ${githubStackName(env)}` : "";
  const what =
    step === "rotate"
      ? `generation ${next.generation}: a new key becomes the published one (SSM, outputs${github ? ", GitHub secrets" : ""}); the previous key keeps working until retired`
      : next.previousKey === "inactive"
        ? "the previous key is deactivated (AWS refuses it; retire again to delete it, or undo this commit to re-activate it)"
        : "the previous key is deleted";
  write(`${env.name} ${user}: ${what}\nwritten ${file}; commit it, then: ${deploy}${github}\n`);
  return 0;
}

if (require.main === module) {
  process.exitCode = runRotate(process.argv.slice(2), join(PROJECT_ROOT, "environments", "key-rotation.json"), (l) => process.stdout.write(l));
}
