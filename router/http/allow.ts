// The methods each path is served with, for the `Allow` header a 405 must carry (RFC 9110, 15.5.6).
// HEAD is served wherever GET is.

export class AllowedMethods {
  private readonly byPath = new Map<string, string[]>();

  add(method: string, path: string): void {
    const methods = this.byPath.get(path) ?? [];
    if (!methods.includes(method)) methods.push(method);
    if (method === "GET" && !methods.includes("HEAD")) methods.push("HEAD");
    this.byPath.set(path, methods);
  }

  /** The `Allow` value for `path`, or undefined when nothing is served there (a 404, not a 405). */
  header(path: string): string | undefined {
    return this.byPath.get(path)?.join(", ");
  }
}
