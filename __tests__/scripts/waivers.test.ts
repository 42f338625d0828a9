import { readFileSync } from "node:fs";
import { join } from "node:path";
import { applyWaivers, isClean, MIN_REASON_LENGTH, type Waiver } from "../../scripts/security/waivers";

const reason = "A reason long enough to say why the mission needs this.";

describe("checkov waivers", () => {
  const waivers: Waiver[] = [{ check: "CKV_AWS_273", resource: "dev/resource.ecr-user_1", reason }];

  it("waive exactly the listed check on the listed resource", () => {
    const r = applyWaivers([{ check: "CKV_AWS_273", resource: "dev/resource.ecr-user_1" }], waivers);
    expect(r.waived).toHaveLength(1);
    expect(isClean(r)).toBe(true);
  });

  it("do not waive the same check on another resource, nor another check on the same resource", () => {
    const r = applyWaivers([{ check: "CKV_AWS_273", resource: "prod/resource.ecr-user_1" }, { check: "CKV_AWS_40", resource: "dev/resource.ecr-user_1" }, { check: "CKV_AWS_273", resource: "dev/resource.ecr-user_1" }], waivers);
    expect(r.unwaived.map((f) => `${f.check} ${f.resource}`)).toEqual(["CKV_AWS_273 prod/resource.ecr-user_1", "CKV_AWS_40 dev/resource.ecr-user_1"]);
    expect(isClean(r)).toBe(false);
  });

  it("fail on a waiver that no longer matches anything", () => {
    const r = applyWaivers([], waivers);
    expect(r.stale).toEqual(waivers);
    expect(isClean(r)).toBe(false);
  });

  it("fail on a short reason and on duplicates", () => {
    const r = applyWaivers([{ check: "CKV_AWS_273", resource: "dev/resource.ecr-user_1" }], [{ ...waivers[0], reason: "needed" }, { ...waivers[0], reason: "needed" }]);
    expect(r.badReasons).toHaveLength(2);
    expect(r.duplicates).toHaveLength(1);
    expect(isClean(r)).toBe(false);
  });

  it("the committed waivers all carry a reason and waive only the checks the README lists", () => {
    const { waivers: committed } = JSON.parse(readFileSync(join(__dirname, "..", "..", "security", "checkov-waivers.json"), "utf8")) as { waivers: Waiver[] };
    expect(committed.every((w) => w.reason.length >= MIN_REASON_LENGTH)).toBe(true);
    expect([...new Set(committed.map((w) => w.check))].sort()).toEqual(["CKV_AWS_136", "CKV_AWS_144", "CKV_AWS_18", "CKV_AWS_273", "CKV_AWS_338", "CKV_AWS_40", "CKV_AWS_51"]);
  });
});
