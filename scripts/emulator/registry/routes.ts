/**
 * Which ECR action AWS checks for each request of the OCI Distribution API
 * (Docker Registry HTTP API v2), as ECR's IAM reference lists them.
 */
export type EcrRegistryAction =
  | "ecr:BatchCheckLayerAvailability"
  | "ecr:GetDownloadUrlForLayer"
  | "ecr:InitiateLayerUpload"
  | "ecr:UploadLayerPart"
  | "ecr:CompleteLayerUpload"
  | "ecr:PutImage"
  | "ecr:BatchGetImage"
  | "ecr:BatchDeleteImage"
  | "ecr:ListImages";

export type Route =
  /** `/v2/`: the version check, which needs a valid token and no permission. */
  | { readonly kind: "base" }
  | {
      readonly kind: "repository";
      readonly repository: string;
      readonly action: EcrRegistryAction;
      /** A manifest PUT by tag (tag immutability applies). */
      readonly tag?: string;
      /** A cross-repository mount's source, which is read (GetDownloadUrlForLayer) as well. */
      readonly mountFrom?: string;
      /** The manifest reference (tag or digest) of a manifest request. */
      readonly reference?: string;
    }
  | { readonly kind: "unsupported" };

const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
/** What ECR accepts as a manifest reference: a tag, or a sha256 digest (its only algorithm). */
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const SHA256 = /^sha256:[a-f0-9]{64}$/;
export const validReference = (ref: string) => TAG.test(ref) || SHA256.test(ref);

const table: readonly { pattern: RegExp; actions: Partial<Record<string, EcrRegistryAction>> }[] = [
  {
    pattern: /^\/v2\/(?<name>.+)\/manifests\/(?<ref>[^/]+)$/,
    actions: { GET: "ecr:BatchGetImage", HEAD: "ecr:BatchGetImage", PUT: "ecr:PutImage", DELETE: "ecr:BatchDeleteImage" },
  },
  {
    pattern: /^\/v2\/(?<name>.+)\/blobs\/uploads\/(?<upload>[^/]+)$/,
    actions: { PATCH: "ecr:UploadLayerPart", PUT: "ecr:CompleteLayerUpload", GET: "ecr:UploadLayerPart", DELETE: "ecr:UploadLayerPart" },
  },
  { pattern: /^\/v2\/(?<name>.+)\/blobs\/uploads\/?$/, actions: { POST: "ecr:InitiateLayerUpload" } },
  { pattern: /^\/v2\/(?<name>.+)\/blobs\/(?<digest>[^/]+)$/, actions: { HEAD: "ecr:BatchCheckLayerAvailability", GET: "ecr:GetDownloadUrlForLayer" } },
  { pattern: /^\/v2\/(?<name>.+)\/tags\/list$/, actions: { GET: "ecr:ListImages" } },
];

export function routeOf(method: string, pathname: string, query: URLSearchParams): Route {
  if (pathname === "/v2/" || pathname === "/v2") return { kind: "base" };
  for (const { pattern, actions } of table) {
    const match = pattern.exec(pathname);
    if (!match) continue;
    const action = actions[method.toUpperCase()];
    if (!action) return { kind: "unsupported" };
    const repository = decodeURIComponent(match.groups!.name);
    const ref = match.groups!.ref;
    const tag = action === "ecr:PutImage" && ref && !DIGEST.test(ref) ? ref : undefined;
    const mountFrom = action === "ecr:InitiateLayerUpload" && query.get("mount") ? (query.get("from") ?? undefined) : undefined;
    return {
      kind: "repository",
      repository,
      action,
      ...(tag ? { tag } : {}),
      ...(mountFrom ? { mountFrom } : {}),
      ...(ref ? { reference: decodeURIComponent(ref) } : {}),
    };
  }
  return { kind: "unsupported" };
}
