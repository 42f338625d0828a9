/** What a CLI printed, as a reader sees it: no colour codes, no box-drawing margins, lines joined by single spaces. */
export function plainText(printed: string): string {
  return (
    printed
      // eslint-disable-next-line no-control-regex -- ANSI escape sequences are what is removed
      .replace(/\x1b\[[0-9;]*[A-Za-z]/g, "")
      .replace(/[│╷╵·]/g, " ")
      .replace(/\s+/g, " ")
  );
}
