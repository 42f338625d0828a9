/**
 * Which images of a repository the deployed lifecycle policy would expire:
 * ECR's StartLifecyclePolicyPreview, computed here from the policy and the
 * images read back from AWS (the emulator has no preview).
 *
 *   npm run lifecycle-preview -- <env> [--service <name> | --repository <name>] [--at <ISO time>] [--endpoint <url>]
 *
 * Follows ECR's documented evaluation: rules in rulePriority order; an image
 * whose tags meet a rule's selection belongs to that rule and no later rule
 * can expire it; `imageCountMoreThan` keeps the newest N (by push time) of the
 * rule's images; `sinceImagePushed` expires images pushed more than N days
 * before `--at` (default now); every prefix of `tagPrefixList`, and every
 * pattern of `tagPatternList`, must match some tag of the image (ANDed);
 * `any` selects whatever is left. Prints each image with the rule that
 * decided and its fate. Exit 0 on a preview, 1 when AWS cannot be read, 2 on bad usage.
 */
import { parseArgs } from "node:util";
import { DescribeImagesCommand, ECRClient, GetLifecyclePolicyCommand, type ImageDetail } from "@aws-sdk/client-ecr";
import { appEnvironments, loadEnvironments } from "../environments";
import { repositoryName } from "../environments/naming";
import { table } from "./lib/table";

export interface PreviewImage {
  readonly digest: string;
  readonly tags: readonly string[];
  readonly pushedAt: Date;
}

interface PolicyRule {
  readonly rulePriority: number;
  readonly description?: string;
  readonly selection: {
    readonly tagStatus: "tagged" | "untagged" | "any";
    readonly tagPrefixList?: readonly string[];
    readonly tagPatternList?: readonly string[];
    readonly countType: "imageCountMoreThan" | "sinceImagePushed";
    readonly countUnit?: "days";
    readonly countNumber: number;
  };
}

export interface PreviewEntry {
  readonly image: PreviewImage;
  /** The rule whose selection the image met (undefined: no rule selects it, it stays). */
  readonly rulePriority?: number;
  readonly description?: string;
  readonly action: "expire" | "keep";
}

const DAY_MS = 86_400_000;

/** ECR's wildcard: `*` matches any run of characters, everything else literally, the whole tag. */
const patternMatches = (pattern: string, tag: string) =>
  new RegExp(
    `^${pattern
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  ).test(tag);

function selects(rule: PolicyRule, image: PreviewImage): boolean {
  const { tagStatus, tagPrefixList, tagPatternList } = rule.selection;
  if (tagStatus === "any") return true;
  if (tagStatus === "untagged") return image.tags.length === 0;
  if (image.tags.length === 0) return false;
  const prefixes = (tagPrefixList ?? []).every((p) => image.tags.some((t) => t.startsWith(p)));
  const patterns = (tagPatternList ?? []).every((p) => image.tags.some((t) => patternMatches(p, t)));
  return prefixes && patterns;
}

/** The preview of one repository's images under a lifecycle policy (its JSON text), at `now`. */
export function previewLifecycle(policyText: string, images: readonly PreviewImage[], now: Date): PreviewEntry[] {
  const rules = ([...(JSON.parse(policyText) as { rules: PolicyRule[] }).rules] as PolicyRule[]).sort((a, b) => a.rulePriority - b.rulePriority);
  const decided = new Map<PreviewImage, PreviewEntry>();
  for (const rule of rules) {
    const mine = images.filter((i) => !decided.has(i) && selects(rule, i));
    const newestFirst = [...mine].sort((a, b) => b.pushedAt.getTime() - a.pushedAt.getTime());
    newestFirst.forEach((image, index) => {
      const { countType, countNumber } = rule.selection;
      const expire = countType === "imageCountMoreThan" ? index >= countNumber : now.getTime() - image.pushedAt.getTime() > countNumber * DAY_MS;
      decided.set(image, { image, rulePriority: rule.rulePriority, description: rule.description, action: expire ? "expire" : "keep" });
    });
  }
  return images.map((image) => decided.get(image) ?? { image, action: "keep" });
}

function render(entries: readonly PreviewEntry[]): string {
  const rows = [
    ["image", "tags", "pushed", "rule", "action"],
    ...[...entries]
      .sort((a, b) => b.image.pushedAt.getTime() - a.image.pushedAt.getTime())
      .map((e) => [
        e.image.digest.slice(0, 19),
        e.image.tags.length ? e.image.tags.map((t) => JSON.stringify(t)).join(",") : "(untagged)",
        e.image.pushedAt.toISOString(),
        e.rulePriority === undefined ? "-" : `${e.rulePriority} ${e.description ?? ""}`.trim(),
        e.action === "expire" ? "EXPIRE" : "keep",
      ]),
  ];
  return table(rows);
}

const USAGE = "usage: npm run lifecycle-preview -- <env> [--service <name> | --repository <name>] [--at <ISO time>] [--endpoint <url>]";

export async function runLifecyclePreview(
  argv: string[],
  out: (s: string) => void = (s) => process.stdout.write(s),
  clientConfig: Record<string, unknown> = {},
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { service: { type: "string" }, repository: { type: "string" }, at: { type: "string" }, endpoint: { type: "string" } },
    });
  } catch (err) {
    out(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const envs = loadEnvironments(appEnvironments());
  const env = envs.find((e) => e.name === parsed.positionals[0]);
  if (!env || parsed.positionals.length !== 1) {
    out(`${parsed.positionals[0] ? `unknown environment '${parsed.positionals[0]}'; known: ${envs.map((e) => e.name).join(", ")}\n` : ""}${USAGE}\n`);
    return 2;
  }
  const service = parsed.values.service ? env.services.find((s) => s.name === parsed.values.service) : env.services[0];
  if (!service) {
    out(`environment ${env.name} has no service '${parsed.values.service}'; services: ${env.services.map((s) => s.name).join(", ")}\n`);
    return 2;
  }
  const now = parsed.values.at ? new Date(parsed.values.at) : new Date();
  if (Number.isNaN(now.getTime())) {
    out(`--at must be an ISO time, got ${JSON.stringify(parsed.values.at)}\n${USAGE}\n`);
    return 2;
  }
  const repository = parsed.values.repository ?? repositoryName(env, service);
  const endpoint = parsed.values.endpoint ?? process.env.AWS_ENDPOINT_URL;
  const ecr = new ECRClient({ region: env.region, ...(endpoint ? { endpoint } : {}), ...clientConfig });
  let policyText: string;
  const details: ImageDetail[] = [];
  try {
    policyText = (await ecr.send(new GetLifecyclePolicyCommand({ repositoryName: repository }))).lifecyclePolicyText!;
    let nextToken: string | undefined;
    do {
      const page = await ecr.send(new DescribeImagesCommand({ repositoryName: repository, nextToken }));
      details.push(...(page.imageDetails ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (err) {
    out(
      `cannot read the lifecycle policy and images of ${repository} (${env.region}): ${(err as { name?: string }).name ?? "error"}: ${JSON.stringify((err as Error).message)}\n`,
    );
    return 1;
  }
  const images = details.map((d) => ({ digest: d.imageDigest!, tags: d.imageTags ?? [], pushedAt: d.imagePushedAt ?? new Date(0) }));
  const entries = previewLifecycle(policyText, images, now);
  const expiring = entries.filter((e) => e.action === "expire").length;
  out(
    `Lifecycle preview of ${repository} in ${env.accountId}/${env.region} at ${now.toISOString()} (the deployed policy, ${images.length} images)\n\n` +
      `${render(entries)}\n\n${expiring} of ${images.length} images would expire\n`,
  );
  return 0;
}

if (require.main === module) {
  runLifecyclePreview(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      process.stderr.write(`lifecycle-preview: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
