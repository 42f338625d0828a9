export { startGithubStandin, API_PREFIX, type GithubStandin, type StandinOptions, type RecordedCall, type UnexpectedCall } from "./server";
export type { RepositorySeed, RepositoryView, EnvironmentView, SecretView, EnvironmentEdit, BehindTerraformTarget } from "./model";
export { GithubDescription, githubDescription, DESCRIPTION_GAPS, type DescriptionGap, type ValidationProblem } from "./openapi";
export { seal, open, newKeyPair, sodiumReady, type SecretKeyPair } from "./sealed-box";
