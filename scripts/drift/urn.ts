// The URN of a router host's config delivery (`router-<host>-config`), which `pulumi up --replace`
// takes to write the file again: a command resource never reads the host back, so a refresh cannot
// see the file edited or deleted. Built as the engine builds URNs: the parent component's type, then
// the resource's (test/scripts/drift/desired.test.ts checks it against the program's registrations).

/** infra/components/router.ts registers its component under this type token. */
const routerComponentType = "aistack:router:Router";

export function routerConfigUrn(o: { project: string; stack: string }, host: string, local: boolean): string {
  const command = local ? "command:local:Command" : "command:remote:Command";
  return `urn:pulumi:${o.stack}::${o.project}::${routerComponentType}$${command}::router-${host}-config`;
}
