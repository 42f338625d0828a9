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

const slotOf = (logicalId: string) => logicalId.match(/key-(a|b)/)![1];

describe("keySlots", () => {
  it.each([
    [{ generation: 1, previousKey: "deleted" }, { active: "a" }],
    [
      { generation: 2, previousKey: "active" },
      { active: "b", previous: { slot: "a", status: "Active" } },
    ],
    [
      { generation: 2, previousKey: "inactive" },
      { active: "b", previous: { slot: "a", status: "Inactive" } },
    ],
    [{ generation: 2, previousKey: "deleted" }, { active: "b" }],
    [
      { generation: 3, previousKey: "active" },
      { active: "a", previous: { slot: "b", status: "Active" } },
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
  it("has one key in slot a at generation 1, published to both SecureString parameters with the given KMS key", () => {
    const { keys, params } = synth({ generation: 1, previousKey: "deleted" });
    expect(keys.map(([id, k]) => [slotOf(id), k.user, k.status])).toEqual([["a", "shop-qa-ecr-user", "Active"]]);
    expect(params.map((p) => [p.name, p.type, p.key_id, p.overwrite])).toEqual([
      ["/shop/qa/ecr-aws-access-key-id", "SecureString", "alias/shop-qa", true],
      ["/shop/qa/ecr-aws-secret-access-key", "SecureString", "alias/shop-qa", true],
    ]);
  });

  it("during the overlap keeps the previous key active and publishes the new one", () => {
    const { keys, params } = synth({ generation: 2, previousKey: "active" });
    const byslot = Object.fromEntries(keys.map(([id, k]) => [slotOf(id), { id, status: k.status }]));
    expect(byslot.a.status).toBe("Active");
    expect(byslot.b.status).toBe("Active");
    expect(params[0].value).toBe(`\${aws_iam_access_key.${byslot.b.id}.id}`);
    expect(params[1].value).toBe(`\${aws_iam_access_key.${byslot.b.id}.secret}`);
  });

  it("keeps slot logical ids stable across generations, so a rotation only adds or removes a key", () => {
    const g1 = synth({ generation: 1, previousKey: "deleted" }).keys.map(([id]) => id);
    const g2 = synth({ generation: 2, previousKey: "active" }).keys.map(([id]) => id);
    const g3 = synth({ generation: 3, previousKey: "deleted" }).keys.map(([id]) => id);
    expect(g2).toEqual(expect.arrayContaining(g1));
    expect(g3).toEqual(g1);
  });

  it("deactivates the previous key on the first retire and drops it on the second", () => {
    expect(
      synth({ generation: 2, previousKey: "inactive" })
        .keys.map(([id, k]) => [slotOf(id), k.status])
        .sort(),
    ).toEqual([
      ["a", "Inactive"],
      ["b", "Active"],
    ]);
    expect(synth({ generation: 2, previousKey: "deleted" }).keys.map(([id]) => slotOf(id))).toEqual(["b"]);
  });
});
