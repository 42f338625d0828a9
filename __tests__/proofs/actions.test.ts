/** Every IAM action in every synthesized policy exists in the action database. */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { synthesizePlatform } from "../../stacks/synthesize";
import { unknownActions } from "../../scripts/lib/simulator";
import { APP_ENVIRONMENTS } from "../helpers";

const POLICY_FIELDS = ["policy", "assume_role_policy", "policy_document"];

function synthesizedPolicies(): { where: string; actions: string[] }[] {
  const root = mkdtempSync(join(tmpdir(), "actions-"));
  try {
    const { outdir } = synthesizePlatform({ outdir: join(root, "out"), environments: APP_ENVIRONMENTS });
    const found: { where: string; actions: string[] }[] = [];
    for (const stack of readdirSync(join(outdir, "stacks"))) {
      const json = JSON.parse(readFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "utf8"));
      for (const [type, byName] of Object.entries<Record<string, Record<string, unknown>>>(json.resource ?? {})) {
        for (const [name, resource] of Object.entries(byName)) {
          for (const field of POLICY_FIELDS) {
            const value = resource[field];
            if (typeof value !== "string" || !value.startsWith("{")) continue;
            const doc = JSON.parse(value);
            if (!doc.Statement) continue; // lifecycle policies share the field name
            found.push({ where: `${stack}/${type}.${name}.${field}`, actions: doc.Statement.flatMap((s: { Action: string | string[] }) => [s.Action].flat()) });
          }
        }
      }
    }
    return found;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

describe("IAM actions", () => {
  const policies = synthesizedPolicies();

  it("are checked in every synthesized policy (users, roles, trust, repository, key, bucket, log policies)", () => {
    expect(policies.length).toBeGreaterThanOrEqual(38);
    expect(new Set(policies.map((p) => p.where.split("/")[1].split(".")[0]))).toEqual(
      new Set([
        "aws_iam_group_policy",
        "aws_iam_role_policy",
        "aws_iam_role",
        "aws_ecr_repository_policy",
        "aws_kms_key",
        "aws_s3_bucket_policy",
        "aws_cloudwatch_log_resource_policy",
      ]),
    );
  });

  it("all exist in the action database", async () => {
    const unknown = await unknownActions(policies.flatMap((p) => p.actions));
    expect(unknown).toEqual([]);
  });

  it("a typo is caught", async () => {
    expect(await unknownActions(["ecr:GetAuthorizationTokens", "ecr:GetAuthorizationToken"])).toEqual(["ecr:GetAuthorizationTokens"]);
  });
});
