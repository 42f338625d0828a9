import { TerraformOutput } from "cdktf";
import type { Construct } from "constructs";

/** An output whose Terraform name is exactly `name` (cdktf would otherwise add a hash suffix inside constructs). */
export function namedOutput(scope: Construct, name: string, value: string, opts: { description: string; sensitive?: boolean }): TerraformOutput {
  const out = new TerraformOutput(scope, name, { value, description: opts.description, sensitive: opts.sensitive ?? false });
  out.overrideLogicalId(name);
  return out;
}
