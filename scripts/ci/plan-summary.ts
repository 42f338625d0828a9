/**
 * Reads `tofu show -json <planfile>` on stdin and prints one Markdown line:
 * `**dev**: 2 to add, 1 to change, 0 to destroy` (replacements count as both).
 */
import { readFileSync } from "node:fs";

interface PlanJson {
  resource_changes?: { address: string; change: { actions: string[] } }[];
}

export function summarize(environment: string, plan: PlanJson): string {
  let add = 0;
  let change = 0;
  let destroy = 0;
  const destroyed: string[] = [];
  for (const rc of plan.resource_changes ?? []) {
    const a = rc.change.actions;
    if (a.includes("create")) add++;
    if (a.includes("update")) change++;
    if (a.includes("delete")) {
      destroy++;
      destroyed.push(rc.address);
    }
  }
  const line = `**${environment}**: ${add} to add, ${change} to change, ${destroy} to destroy`;
  return destroyed.length > 0 ? `${line}\n  - destroys: ${destroyed.map((d) => `\`${d}\``).join(", ")}` : line;
}

if (require.main === module) {
  const environment = process.argv[2];
  if (!environment) throw new Error("usage: plan-summary <environment> < plan.json");
  process.stdout.write(`${summarize(environment, JSON.parse(readFileSync(0, "utf8")) as PlanJson)}\n`);
}
