import { readFileSync } from "node:fs";
import { join } from "node:path";
import { applyWaivers, isClean, MIN_REASON_LENGTH, resourcePattern, type Waiver } from "../../scripts/security/waivers";

const reason = "A reason long enough to say why the platform needs this.";

describe("checkov waivers", () => {
  const waivers: Waiver[] = [{ check: "CKV_AWS_273", resource: "dev/resource.ecr-user_1", reason }];

  it("waive exactly the listed check on the listed resource", () => {
    const r = applyWaivers([{ check: "CKV_AWS_273", resource: "dev/resource.ecr-user_1" }], waivers);
    expect(r.waived).toHaveLength(1);
    expect(isClean(r)).toBe(true);
  });

  it("do not waive the same check on another resource, nor another check on the same resource", () => {
    const r = applyWaivers(
      [
        { check: "CKV_AWS_273", resource: "prod/resource.ecr-user_1" },
        { check: "CKV_AWS_40", resource: "dev/resource.ecr-user_1" },
        { check: "CKV_AWS_273", resource: "dev/resource.ecr-user_1" },
      ],
      waivers,
    );
    expect(r.unwaived.map((f) => `${f.check} ${f.resource}`)).toEqual(["CKV_AWS_273 prod/resource.ecr-user_1", "CKV_AWS_40 dev/resource.ecr-user_1"]);
    expect(isClean(r)).toBe(false);
  });

  it("fail on a waiver that no longer matches anything", () => {
    const r = applyWaivers([], waivers);
    expect(r.stale).toEqual(waivers);
    expect(isClean(r)).toBe(false);
  });

  it("fail on a short reason and on duplicates", () => {
    const r = applyWaivers(
      [{ check: "CKV_AWS_273", resource: "dev/resource.ecr-user_1" }],
      [
        { ...waivers[0], reason: "needed" },
        { ...waivers[0], reason: "needed" },
      ],
    );
    expect(r.badReasons).toHaveLength(2);
    expect(r.duplicates).toHaveLength(1);
    expect(isClean(r)).toBe(false);
  });

  it("the committed waivers all carry a reason and waive only the checks the README lists", () => {
    const { waivers: committed } = JSON.parse(readFileSync(join(__dirname, "..", "..", "security", "checkov-waivers.json"), "utf8")) as { waivers: Waiver[] };
    expect(committed.every((w) => w.reason.length >= MIN_REASON_LENGTH)).toBe(true);
    expect([...new Set(committed.map((w) => w.check))].sort()).toEqual([
      "CKV_AWS_136",
      "CKV_AWS_144",
      "CKV_AWS_145",
      "CKV_AWS_273",
      "CKV_AWS_338",
      "CKV_AWS_393",
      "CKV_AWS_51",
    ]);
  });

  it("match by construct path across stacks, so a new environment needs no waiver", () => {
    const byPath: Waiver[] = [{ check: "CKV_AWS_273", resource: "*/resource.ecr-user_*", reason }];
    const r = applyWaivers(
      [
        { check: "CKV_AWS_273", resource: "dev/resource.ecr-user_FDAE966B" },
        { check: "CKV_AWS_273", resource: "qa/resource.ecr-user_FDAE966B" },
      ],
      byPath,
    );
    expect(r.waived).toHaveLength(2);
    expect(isClean(r)).toBe(true);
  });

  it("keep a pattern to its construct: another construct, another check stay unwaived", () => {
    const byPath: Waiver[] = [{ check: "CKV_AWS_273", resource: "*/resource.ecr-user_*", reason }];
    const r = applyWaivers(
      [
        { check: "CKV_AWS_273", resource: "dev/resource.ecr-user_1" },
        { check: "CKV_AWS_273", resource: "dev/resource.s3-user_1" },
        { check: "CKV_AWS_40", resource: "dev/resource.ecr-user_1" },
      ],
      byPath,
    );
    expect(r.unwaived.map((f) => `${f.check} ${f.resource}`)).toEqual(["CKV_AWS_273 dev/resource.s3-user_1", "CKV_AWS_40 dev/resource.ecr-user_1"]);
  });

  it.each(["*", "*/*", "dev/*", "*/resource.*"])("refuse the pattern %p, which names no construct", (resource) => {
    const r = applyWaivers([{ check: "CKV_AWS_273", resource: "dev/resource.ecr-user_1" }], [{ check: "CKV_AWS_273", resource, reason }]);
    expect(r.tooBroad).toHaveLength(1);
    expect(isClean(r)).toBe(false);
  });

  it("treat regular-expression characters in a pattern literally", () => {
    expect(resourcePattern("*/resource.a+b_*").test("dev/resource.a+b_1")).toBe(true);
    expect(resourcePattern("*/resource.a+b_*").test("dev/resource.aab_1")).toBe(false);
  });
});
