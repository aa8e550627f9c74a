// The one way the router writes HTML (the /status page): a tagged template that escapes every value
// it is given, whatever its type, so a number or null where a string was expected renders instead of
// throwing (test/router/ops/status-hostile.test.ts). Only markup built by `html` itself passes as is.

export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type Value = Html | readonly Html[] | string | number | boolean | null | undefined;

const escapeText = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function render(v: Value): string {
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return (v as readonly Html[]).map(render).join("");
  if (v === null || v === undefined) return "";
  return escapeText(String(v));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0] ?? "";
  values.forEach((v, i) => (out += render(v) + (strings[i + 1] ?? "")));
  return new Html(out);
}

/** Joins markup with a separator (itself escaped unless it is markup). */
export function join(parts: readonly Html[], sep: Value): Html {
  return new Html(parts.map((p) => p.text).join(render(sep)));
}
