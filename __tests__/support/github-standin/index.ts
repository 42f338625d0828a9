export {
  startGithubStandin,
  API_PREFIX,
  type GithubStandin,
  type StandinOptions,
  type EnvironmentEdit,
  type RecordedCall,
  type UnexpectedCall,
  type BehindTerraformTarget,
} from "./server";
export type { RepositorySeed, RepositoryView, EnvironmentView, SecretView } from "./model";
export { GithubDescription, githubDescription, DESCRIPTION_GAPS, type DescriptionGap, type ValidationProblem } from "./openapi";
export { seal, open, newKeyPair, sodiumReady, type SecretKeyPair } from "./sealed-box";
