import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { Construct } from "constructs";
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST } from "./github-oidc";

/**
 * GitHub's certificate thumbprints. IAM no longer checks them for this
 * issuer (it trusts its own CA store), but older API clients and emulators
 * still require a value.
 */
const GITHUB_THUMBPRINTS = ["6938fd4d98bab03faadb97b34396831e3780aea1", "1c58a3a8518e8759bf075b76b750d4f2df264fcd"];

/** The account's single GitHub Actions identity provider; owned by the account's bootstrap stack. */
export class GithubOidcProvider extends Construct {
  /** The provider resource; roles trust it by ARN (computed from config, not referenced). */
  readonly provider: IamOpenidConnectProvider;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.provider = new IamOpenidConnectProvider(this, "provider", {
      url: `https://${GITHUB_OIDC_HOST}`,
      clientIdList: [GITHUB_OIDC_AUDIENCE],
      thumbprintList: GITHUB_THUMBPRINTS,
    });
  }
}
