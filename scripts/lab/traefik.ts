// The real Traefik v3 in the root namespace, outside the cluster: its Kubernetes CRD provider reads the
// lab API server (KUBECONFIG) with allowExternalNameServices, and an HTTPS entry point named as the
// stack names it serves on loopback. The stack's cert resolver exists, as at home, but its ACME server is
// a loopback port nothing listens on: Traefik logs that it cannot obtain a certificate and serves the
// default certificate, which the lab sets to one for the stack's domain signed by the lab's CA.
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import type { Cert } from "./pki.js";
import { alive, freePorts, startDaemon, waitFor } from "./sys.js";

/** Where a Traefik module keeps its CRD definitions (the integration fixture, or the docs' reference). */
const CRD_FILES = ["integration/fixtures/k8s/01-traefik-crd.yml", "docs/content/reference/dynamic-configuration/kubernetes-crd-definition-v1.yml"];

/** Traefik's CRD YAML from a Go module cache that holds the traefik/v3 module (the toolchain's build). */
export function findTraefikCrds(modCaches: readonly string[], version?: string): string {
  for (const cache of modCaches) {
    const dir = join(cache, "github.com", "traefik", "traefik");
    if (!existsSync(dir)) continue;
    const versions = readdirSync(dir)
      .filter((d) => d.startsWith("v3@") && (!version || d === `v3@${version}`))
      .sort()
      .reverse();
    for (const v of versions) for (const f of CRD_FILES) if (existsSync(join(dir, v, f))) return join(dir, v, f);
  }
  throw new Error(`no Traefik CRD definitions (${CRD_FILES.join(" or ")}) in the Go module caches ${modCaches.join(", ")}`);
}

export interface TraefikLab {
  httpsPort: number;
  pingPort: number;
  pid: number;
  log: string;
}

export interface TraefikArgs {
  dir: string;
  binary: string;
  kubeconfig: string;
  entryPoint: string;
  certResolver: string | undefined;
  defaultCert: Cert;
}

export function traefikStaticConfig(a: TraefikArgs, ports: { https: number; ping: number; acme: number }): Record<string, unknown> {
  return {
    // Traefik asks the internet for new releases unless told not to: nothing of the lab leaves the machine.
    global: { checkNewVersion: false, sendAnonymousUsage: false },
    entryPoints: { [a.entryPoint]: { address: `127.0.0.1:${ports.https}` }, ping: { address: `127.0.0.1:${ports.ping}` } },
    ping: { entryPoint: "ping" },
    providers: {
      kubernetesCRD: { allowExternalNameServices: true },
      file: { filename: join(a.dir, "traefik-dynamic.yml") },
    },
    ...(a.certResolver
      ? {
          certificatesResolvers: {
            [a.certResolver]: {
              // No ACME server is reachable from the lab: this one is a closed loopback port.
              acme: {
                email: "lab@aistack.invalid",
                storage: join(a.dir, "acme.json"),
                caServer: `https://127.0.0.1:${ports.acme}/directory`,
                tlsChallenge: {},
              },
            },
          },
        }
      : {}),
    // DEBUG: the ACME resolver's attempts are logged at that level.
    log: { level: "DEBUG", noColor: true },
    accessLog: { filePath: join(a.dir, "traefik-access.log"), format: "json" },
  };
}

export async function traefikUp(a: TraefikArgs, record: (pid: number) => void): Promise<TraefikLab> {
  const [https, ping, acme] = (await freePorts(3)) as [number, number, number];
  const ports = { https, ping, acme };
  writeFileSync(join(a.dir, "traefik.yml"), stringify(traefikStaticConfig(a, ports)));
  writeFileSync(
    join(a.dir, "traefik-dynamic.yml"),
    stringify({ tls: { stores: { default: { defaultCertificate: { certFile: a.defaultCert.cert, keyFile: a.defaultCert.key } } } } }),
  );
  const log = join(a.dir, "traefik.log");
  const pid = startDaemon(a.binary, [`--configfile=${join(a.dir, "traefik.yml")}`], log, { ...process.env, KUBECONFIG: a.kubeconfig });
  record(pid);
  await waitFor(
    `Traefik answering its ping (log: ${log})`,
    async () => {
      if (!alive(pid)) throw new Error("traefik exited");
      return (await fetch(`http://127.0.0.1:${ports.ping}/ping`, { signal: AbortSignal.timeout(2_000) })).ok;
    },
    60_000,
  );
  return { httpsPort: ports.https, pingPort: ports.ping, pid, log };
}
