/** GitHub's naming rules live with the subject builder, which refuses the same names. */
export { githubRepositoryProblem } from "../constructs/github-oidc";
