/**
 * The GitHub REST root the operator commands send a token to: https, or plain
 * http only on loopback (a local stand-in), so a mistyped GITHUB_API_URL never
 * carries the token in clear text to another host.
 */
export function githubApiRoot(raw: string | undefined): URL {
  const url = new URL((raw || "https://api.github.com").replace(/\/+$/, ""));
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    throw new Error(`GITHUB_API_URL ${JSON.stringify(raw)} must be an https URL (plain http only on loopback): the token would travel in clear text`);
  }
  return url;
}
