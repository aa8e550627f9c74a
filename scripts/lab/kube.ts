// A real Kubernetes API server for the lab: etcd and kube-apiserver (built by the toolchain) in the
// root namespace on loopback, a static token in group system:masters, the lab CA's serving certificate,
// and a kubeconfig with the lab's context. No kubelet: the stack creates only a Namespace, ExternalName
// Services, a TraefikService and an IngressRoute. Traefik's CRDs are applied before anything else.
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import { REPO_ROOT } from "../e2e/router.js";
import { BRIDGE_ADDRESS } from "./layout.js";
import type { LabPki } from "./pki.js";
import { LAB_KUBE_CONTEXT } from "./stack.js";
import { alive, freePorts, sh, startDaemon, waitFor } from "./sys.js";

export interface KubeApi {
  server: string;
  token: string;
  ca: string;
  kubeconfig: string;
  pids: { etcd: number; apiserver: number };
}

/** One HTTPS call to the API server; resolves with status and parsed body. */
export function kubeCall(
  api: Pick<KubeApi, "server" | "token" | "ca">,
  method: string,
  path: string,
  body?: unknown,
  contentType = "application/json",
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${api.server}${path}`,
      {
        method,
        ca: readFileSync(api.ca),
        headers: { authorization: `Bearer ${api.token}`, "content-type": contentType, accept: "application/json" },
        timeout: 15_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON (healthz says "ok")
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${method} ${path}: timed out`)));
    req.on("error", reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

export function kubeconfigText(api: Pick<KubeApi, "server" | "token" | "ca">): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "aistack-lab", cluster: { server: api.server, "certificate-authority-data": readFileSync(api.ca).toString("base64") } }],
    users: [{ name: "aistack-lab-admin", user: { token: api.token } }],
    contexts: [{ name: LAB_KUBE_CONTEXT, context: { cluster: "aistack-lab", user: "aistack-lab-admin" } }],
    "current-context": LAB_KUBE_CONTEXT,
  });
}

export async function kubeUp(
  dir: string,
  pki: LabPki,
  bins: { etcd: string; kubeApiserver: string },
  record: (name: string, pid: number) => void,
): Promise<KubeApi> {
  mkdirSync(join(dir, "etcd"), { recursive: true, mode: 0o700 });
  const [client, peer, secure] = (await freePorts(3)) as [number, number, number];
  const etcd = startDaemon(
    bins.etcd,
    [
      "--name",
      "lab",
      "--data-dir",
      join(dir, "etcd", "data"),
      "--listen-client-urls",
      `http://127.0.0.1:${client}`,
      "--advertise-client-urls",
      `http://127.0.0.1:${client}`,
      "--listen-peer-urls",
      `http://127.0.0.1:${peer}`,
      "--initial-advertise-peer-urls",
      `http://127.0.0.1:${peer}`,
      "--initial-cluster",
      `lab=http://127.0.0.1:${peer}`,
    ],
    join(dir, "etcd.log"),
  );
  record("etcd", etcd);
  await waitFor(
    `etcd answering (log: ${join(dir, "etcd.log")})`,
    async () => {
      if (!alive(etcd)) throw new Error("etcd exited");
      const r = await fetch(`http://127.0.0.1:${client}/health`, { signal: AbortSignal.timeout(2_000) });
      return r.ok;
    },
    60_000,
  );

  const token = randomBytes(24).toString("hex");
  writeFileSync(join(dir, "tokens.csv"), `${token},aistack-lab-admin,1,"system:masters"\n`, { mode: 0o600 });
  const serving = pki.issue("apiserver", "kube-apiserver", ["IP:127.0.0.1", `IP:${BRIDGE_ADDRESS}`, "DNS:localhost", "DNS:kubernetes.default.svc"]);
  const saKey = join(dir, "sa.key");
  sh("openssl", ["genrsa", "-out", saKey, "2048"]);
  const apiserver = startDaemon(
    bins.kubeApiserver,
    [
      "--etcd-servers",
      `http://127.0.0.1:${client}`,
      "--bind-address",
      "127.0.0.1",
      "--secure-port",
      String(secure),
      "--advertise-address",
      BRIDGE_ADDRESS,
      "--tls-cert-file",
      serving.cert,
      "--tls-private-key-file",
      serving.key,
      "--token-auth-file",
      join(dir, "tokens.csv"),
      "--authorization-mode",
      "RBAC",
      "--anonymous-auth=false",
      "--service-account-issuer",
      "https://kubernetes.default.svc",
      "--service-account-key-file",
      saKey,
      "--service-account-signing-key-file",
      saKey,
      "--service-cluster-ip-range",
      "10.78.0.0/24",
      // Boolean flags take their value after `=` (pflag): a separate word would be an argument.
      "--enable-priority-and-fairness=false",
    ],
    join(dir, "kube-apiserver.log"),
  );
  record("kube-apiserver", apiserver);
  const api = { server: `https://127.0.0.1:${secure}`, token, ca: pki.ca };
  await waitFor(
    `kube-apiserver ready (log: ${join(dir, "kube-apiserver.log")})`,
    async () => {
      if (!alive(apiserver)) throw new Error("kube-apiserver exited");
      return (await kubeCall(api, "GET", "/readyz")).status === 200;
    },
    180_000,
  );
  const kubeconfig = join(dir, "kubeconfig");
  writeFileSync(kubeconfig, kubeconfigText(api), { mode: 0o600 });
  // No controller manager: scripts/lab/gc.ts does what a deletion waits on.
  const gc = startDaemon(
    process.execPath,
    ["--import", "tsx", join(REPO_ROOT, "scripts", "lab", "gc.ts"), kubeconfig, pki.ca],
    join(dir, "gc.log"),
    process.env,
    REPO_ROOT,
  );
  record("kube-gc", gc);
  return { ...api, kubeconfig, pids: { etcd, apiserver } };
}

/** Creates every CustomResourceDefinition of a YAML file and waits until each is Established. */
export async function applyCrds(api: KubeApi, yamlText: string): Promise<string[]> {
  const docs = parseAllDocuments(yamlText).map((d) => d.toJS() as { kind?: string; metadata?: { name?: string } } | null);
  const crds = docs.filter(
    (d): d is { kind: string; metadata: { name: string } } => d?.kind === "CustomResourceDefinition" && typeof d.metadata?.name === "string",
  );
  for (const crd of crds) {
    const r = await kubeCall(api, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
    if (r.status !== 201 && r.status !== 409) throw new Error(`creating CRD ${crd.metadata.name}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  }
  for (const crd of crds) {
    await waitFor(
      `CRD ${crd.metadata.name} established`,
      async () => {
        const r = await kubeCall(api, "GET", `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`);
        const conditions = (r.body as { status?: { conditions?: { type: string; status: string }[] } }).status?.conditions ?? [];
        return conditions.some((c) => c.type === "Established" && c.status === "True");
      },
      60_000,
    );
  }
  return crds.map((c) => c.metadata.name);
}
