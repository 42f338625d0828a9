/**
 * IAM policies as typed data, rendered once. Statements name concrete ARNs so
 * the synthesized JSON is the final policy and can be proven offline.
 */
export type Effect = "Allow" | "Deny";

export type Principal =
  | {
      /** Account roots, roles or users, by ARN. */
      readonly AWS: readonly string[];
    }
  | {
      /** AWS service principals (`ecs-tasks.amazonaws.com`). */
      readonly Service: readonly string[];
    }
  | {
      /** An identity provider's ARN (web identity federation). */
      readonly Federated: string;
    };

/** Condition operator -> condition key -> values. */
export type Conditions = Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;

export interface PolicyStatement {
  /** Statement id: alphanumeric, unique within the document. */
  readonly sid: string;
  /** @default "Allow" */
  readonly effect?: Effect;
  /** IAM actions (`service:Action`, `*` allowed in the action part); at least one. */
  readonly actions: readonly string[];
  /** Identity policies need resources; trust policies have none. @default none (no `Resource` element) */
  readonly resources?: readonly string[];
  /** Who the statement is about: required in trust and resource policies, refused in identity policies. @default none */
  readonly principal?: Principal | "*";
  /** Condition operator -> key -> values, rendered as given. @default none */
  readonly conditions?: Conditions;
}

export interface PolicyDocument {
  /** The statements, in order; at least one, Sids unique. */
  readonly statements: readonly PolicyStatement[];
}

const SID = /^[A-Za-z0-9]+$/;
const ACTION = /^[a-z0-9-]+:[A-Za-z0-9*]+$/;

/** Throws when a document could never be valid IAM; keeps mistakes out of plans. */
export function assertValidPolicy(doc: PolicyDocument, kind: "identity" | "resource" | "trust"): void {
  const sids = new Set<string>();
  if (doc.statements.length === 0) throw new Error(`${kind} policy has no statements`);
  for (const st of doc.statements) {
    if (!SID.test(st.sid)) throw new Error(`policy Sid '${st.sid}' must be alphanumeric`);
    if (sids.has(st.sid)) throw new Error(`policy Sid '${st.sid}' is not unique`);
    sids.add(st.sid);
    if (st.actions.length === 0) throw new Error(`statement ${st.sid} has no actions`);
    for (const a of st.actions) if (!ACTION.test(a)) throw new Error(`statement ${st.sid}: '${a}' is not an IAM action`);
    if (kind === "identity") {
      if (!st.resources || st.resources.length === 0) throw new Error(`statement ${st.sid} needs resources`);
      if (st.principal) throw new Error(`identity statement ${st.sid} must not name a principal`);
    } else {
      if (!st.principal) throw new Error(`${kind} statement ${st.sid} needs a principal`);
      if (kind === "trust" && st.resources) throw new Error(`trust statement ${st.sid} must not name resources`);
    }
  }
}

const uniqueSorted = (xs: readonly string[]) => [...new Set(xs)].sort();

/** The JSON AWS stores; arrays are de-duplicated and sorted so plans stay stable. */
export function renderPolicy(doc: PolicyDocument, kind: "identity" | "resource" | "trust"): string {
  assertValidPolicy(doc, kind);
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: doc.statements.map((st) => ({
      Sid: st.sid,
      Effect: st.effect ?? "Allow",
      ...(st.principal ? { Principal: renderPrincipal(st.principal) } : {}),
      Action: uniqueSorted(st.actions),
      ...(st.resources ? { Resource: uniqueSorted(st.resources) } : {}),
      ...(st.conditions ? { Condition: st.conditions } : {}),
    })),
  });
}

function renderPrincipal(p: Principal | "*"): unknown {
  if (p === "*") return "*";
  if ("AWS" in p) return { AWS: uniqueSorted(p.AWS) };
  if ("Service" in p) return { Service: uniqueSorted(p.Service) };
  return { Federated: p.Federated };
}
