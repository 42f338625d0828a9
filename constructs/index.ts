/**
 * The constructs as a library: props in, resources out, no app configuration
 * (tsconfig.constructs.json builds them alone, with type declarations, to prove it).
 */
export * from "./aws-partition";
export * from "./aws-provider";
export * from "./ecr-actions";
export * from "./ecr-repository";
export * from "./environment-key";
export * from "./github-actions-settings";
export * from "./github-oidc";
export * from "./github-oidc-provider";
export * from "./github-oidc-role";
export * from "./least-privilege-user";
export * from "./lifecycle-policy";
export * from "./outputs";
export * from "./policy-document";
export * from "./registry-settings";
export * from "./remote-state";
export * from "./rotating-access-key";
export * from "./scan-findings-log";
export * from "./service-role";
export * from "./state-bucket";
export * from "./validation";
