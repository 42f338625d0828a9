import { loadEnvironments } from "../../environments";
import { environmentInputs } from "../../environments/app-config";
import { newEnvironmentLike } from "../../scripts/security/checkov-scan";
import { FIXTURE_APP } from "../fixtures/app";
import { APP as SECOND_APP } from "../fixtures/second-config/app";

describe("checkov scan: the environment added the README's way", () => {
  it("copies the first environment under a new name into an account of its own, the rest derived as for any entry", () => {
    const added = newEnvironmentLike(FIXTURE_APP);
    expect(added).toMatchObject({
      name: "qa",
      app: "shop",
      accountId: "444444444444",
      region: "us-east-1",
      ecr: { imageRetentionCount: 5, tagMutability: "MUTABLE", forceDelete: true },
      s3UserBuckets: ["shop-qa-assets"],
      github: { repository: "acme/shop", deployFrom: { kind: "environment", name: "qa" } },
      state: { bucket: "acme-shop-tfstate-444444444444", key: "shop/qa.tfstate", region: "us-east-1" },
    });
    // The committed environments and the copy load together: no shared name, account state or GitHub environment.
    expect(() => loadEnvironments([...environmentInputs(FIXTURE_APP), added])).not.toThrow();
  });

  it("follows another app's names, and keeps a protected template's protection", () => {
    const added = newEnvironmentLike(SECOND_APP, "live");
    const live = environmentInputs(SECOND_APP).find((e) => e.name === "live")!;
    expect(added.state).toEqual({ bucket: `globex-corp-ledger-tfstate-${added.accountId}`, key: "ledger/qa.tfstate", region: "ca-central-1" });
    expect(added.s3UserBuckets).toEqual(["ledger-qa-assets"]);
    expect(live.github.deployFrom).toMatchObject({ kind: "environment", protection: { waitTimerMinutes: 5 } });
    expect(added.github.deployFrom).toEqual({ ...live.github.deployFrom, name: "qa" });
    expect(JSON.stringify(SECOND_APP)).not.toContain(added.accountId);
    expect(() => loadEnvironments([...environmentInputs(SECOND_APP), added])).not.toThrow();
  });

  it("takes a name and an account the app does not use yet", () => {
    const crowded = {
      ...FIXTURE_APP,
      environments: [
        ...FIXTURE_APP.environments,
        { ...FIXTURE_APP.environments[1], name: "qa", accountId: "444444444444", delivery: undefined },
        { ...FIXTURE_APP.environments[1], name: "qa2", accountId: "555555555555", delivery: undefined },
      ],
    };
    const added = newEnvironmentLike(crowded);
    expect([added.name, added.accountId]).toEqual(["qa3", "666666666666"]);
    expect(() => newEnvironmentLike(FIXTURE_APP, "nope")).toThrow(/no environment 'nope' to copy; the app has dev, staging, prod/);
  });
});
