import { Testing } from "cdktf";
import { keySlots, RotatingAccessKey, type KeyRotation } from "../../constructs/rotating-access-key";

function synth(rotation: KeyRotation) {
  let construct!: RotatingAccessKey;
  const json = JSON.parse(
    Testing.synthScope((scope) => {
      construct = new RotatingAccessKey(scope, "k", {
        userName: "shop-qa-ecr-user",
        rotation,
        accessKeyIdParameter: "/shop/qa/ecr-aws-access-key-id",
        secretAccessKeyParameter: "/shop/qa/ecr-aws-secret-access-key",
        parameterKeyId: "alias/shop-qa",
      });
    }),
  );
  const keys = Object.entries(json.resource.aws_iam_access_key as Record<string, { user: string; status: string }>);
  const params = Object.values(
    json.resource.aws_ssm_parameter as Record<string, { name: string; value: string; type: string; key_id: string; overwrite: boolean }>,
  );
  return { construct, keys, params };
}

const generationOf = (logicalId: string) => Number(logicalId.match(/key-g(\d+)/)![1]);

describe("keySlots", () => {
  it.each([
    [{ generation: 1, previousKey: "deleted" }, { active: 1 }],
    [
      { generation: 2, previousKey: "active" },
      { active: 2, previous: { generation: 1, status: "Active" } },
    ],
    [
      { generation: 2, previousKey: "inactive" },
      { active: 2, previous: { generation: 1, status: "Inactive" } },
    ],
    [{ generation: 2, previousKey: "deleted" }, { active: 2 }],
    [
      { generation: 3, previousKey: "active" },
      { active: 3, previous: { generation: 2, status: "Active" } },
    ],
  ] as const)("%p -> %p", (rotation, slots) => {
    expect(keySlots(rotation)).toEqual(slots);
  });

  it.each([
    [{ generation: 1, previousKey: "active" }, /generation 1 has no previous key/],
    [{ generation: 0, previousKey: "deleted" }, /whole number >= 1/],
    [{ generation: 1.5, previousKey: "deleted" }, /whole number >= 1/],
  ] as const)("refuses %p", (rotation, message) => {
    expect(() => keySlots(rotation)).toThrow(message);
  });
});

describe("RotatingAccessKey", () => {
  it("has one key at generation 1, published to both SecureString parameters with the given KMS key", () => {
    const { keys, params } = synth({ generation: 1, previousKey: "deleted" });
    expect(keys.map(([id, k]) => [generationOf(id), k.user, k.status])).toEqual([[1, "shop-qa-ecr-user", "Active"]]);
    expect(params.map((p) => [p.name, p.type, p.key_id, p.overwrite])).toEqual([
      ["/shop/qa/ecr-aws-access-key-id", "SecureString", "alias/shop-qa", true],
      ["/shop/qa/ecr-aws-secret-access-key", "SecureString", "alias/shop-qa", true],
    ]);
  });

  it("during the overlap keeps the previous key active and publishes the new one", () => {
    const { keys, params } = synth({ generation: 2, previousKey: "active" });
    const byGeneration = Object.fromEntries(keys.map(([id, k]) => [generationOf(id), { id, status: k.status }]));
    expect(byGeneration[1].status).toBe("Active");
    expect(byGeneration[2].status).toBe("Active");
    expect(params[0].value).toBe(`\${aws_iam_access_key.${byGeneration[2].id}.id}`);
    expect(params[1].value).toBe(`\${aws_iam_access_key.${byGeneration[2].id}.secret}`);
  });

  it("keeps a generation's logical id through its life, so each step only adds, deactivates or removes a key", () => {
    const ids = (r: KeyRotation) => synth(r).keys.map(([id]) => id);
    const g1 = ids({ generation: 1, previousKey: "deleted" });
    expect(ids({ generation: 2, previousKey: "active" })).toEqual(expect.arrayContaining(g1));
    expect(ids({ generation: 2, previousKey: "inactive" })).toEqual(ids({ generation: 2, previousKey: "active" }));
  });

  it("never turns a retired key back on: the next generation's key is a new resource, not the old slot", () => {
    // Deployed: generation 2 with generation 1 inactive. A commit that retires and rotates at once
    // must create generation 3's key, and must not reuse generation 1's (a leaked key would come back).
    const deployed = synth({ generation: 2, previousKey: "inactive" }).keys.map(([id]) => id);
    const next = synth({ generation: 3, previousKey: "active" }).keys;
    const g1 = deployed.find((id) => generationOf(id) === 1)!;
    expect(next.map(([id]) => id)).not.toContain(g1);
    expect(next.map(([id, k]) => [generationOf(id), k.status]).sort()).toEqual([
      [2, "Active"],
      [3, "Active"],
    ]);
  });

  it("deactivates the previous key on the first retire and drops it on the second", () => {
    expect(
      synth({ generation: 2, previousKey: "inactive" })
        .keys.map(([id, k]) => [generationOf(id), k.status])
        .sort(),
    ).toEqual([
      [1, "Inactive"],
      [2, "Active"],
    ]);
    expect(synth({ generation: 2, previousKey: "deleted" }).keys.map(([id]) => generationOf(id))).toEqual([2]);
  });
});
