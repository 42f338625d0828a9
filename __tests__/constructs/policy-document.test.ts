import { renderPolicy, type PolicyDocument } from "../../constructs/policy-document";

describe("renderPolicy", () => {
  it("renders sorted, de-duplicated actions and resources with the 2012-10-17 version", () => {
    const doc: PolicyDocument = { statements: [{ sid: "A", actions: ["s3:PutObject", "s3:GetObject", "s3:GetObject"], resources: ["arn:b", "arn:a"] }] };
    expect(JSON.parse(renderPolicy(doc, "identity"))).toEqual({
      Version: "2012-10-17",
      Statement: [{ Sid: "A", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: ["arn:a", "arn:b"] }],
    });
  });

  it("renders principals and conditions of resource policies", () => {
    const doc: PolicyDocument = {
      statements: [
        { sid: "Deny", effect: "Deny", principal: "*", actions: ["s3:*"], resources: ["arn:a"], conditions: { Bool: { "aws:SecureTransport": "false" } } },
      ],
    };
    expect(JSON.parse(renderPolicy(doc, "resource")).Statement[0]).toEqual({
      Sid: "Deny",
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:*"],
      Resource: ["arn:a"],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
  });

  it.each<[string, PolicyDocument, "identity" | "resource" | "trust", RegExp]>([
    ["no statements", { statements: [] }, "identity", /has no statements/],
    [
      "a duplicate Sid",
      {
        statements: [
          { sid: "A", actions: ["s3:GetObject"], resources: ["*"] },
          { sid: "A", actions: ["s3:PutObject"], resources: ["*"] },
        ],
      },
      "identity",
      /not unique/,
    ],
    ["a non-alphanumeric Sid", { statements: [{ sid: "a-b", actions: ["s3:GetObject"], resources: ["*"] }] }, "identity", /must be alphanumeric/],
    ["a malformed action", { statements: [{ sid: "A", actions: ["GetObject"], resources: ["*"] }] }, "identity", /is not an IAM action/],
    ["an identity statement without resources", { statements: [{ sid: "A", actions: ["s3:GetObject"] }] }, "identity", /needs resources/],
    [
      "an identity statement with a principal",
      { statements: [{ sid: "A", actions: ["s3:GetObject"], resources: ["*"], principal: "*" }] },
      "identity",
      /must not name a principal/,
    ],
    ["a trust statement without principal", { statements: [{ sid: "A", actions: ["sts:AssumeRole"] }] }, "trust", /needs a principal/],
    [
      "a trust statement with resources",
      { statements: [{ sid: "A", actions: ["sts:AssumeRole"], principal: { Service: ["x"] }, resources: ["*"] }] },
      "trust",
      /must not name resources/,
    ],
  ])("refuses %s", (_what, doc, kind, message) => {
    expect(() => renderPolicy(doc, kind)).toThrow(message);
  });
});
