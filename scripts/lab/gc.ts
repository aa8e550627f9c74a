// The lab's stand-in for the two kube-controller-manager loops a deletion waits on (the lab runs no
// controller manager): the garbage collector, which removes the `foregroundDeletion` finalizer once an
// object's dependents are gone (the Kubernetes provider deletes with foreground propagation, and the
// stack's objects have no dependents), and the namespace controller, which finalizes a deleted namespace
// once it is empty. Without it `pulumi destroy` waits forever on the IngressRoute (seen by e2e:lab).
//   node --import tsx scripts/lab/gc.ts <kubeconfig>
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { GC_LISTS } from "./gc-kinds.js";
import { kubeCall } from "./kube.js";

const kubeconfig = parse(readFileSync(process.argv[2] ?? "", "utf8")) as { clusters: { cluster: { server: string } }[]; users: { user: { token: string } }[] };
const api = { server: kubeconfig.clusters[0]?.cluster.server ?? "", token: kubeconfig.users[0]?.user.token ?? "", ca: process.argv[3] ?? "" };

interface Meta {
  name: string;
  namespace?: string;
  deletionTimestamp?: string;
  finalizers?: string[];
  selfLink?: string;
}

async function items(path: string): Promise<Meta[]> {
  const r = await kubeCall(api, "GET", path);
  return r.status === 200 ? ((r.body as { items?: { metadata: Meta }[] }).items ?? []).map((i) => i.metadata) : [];
}

async function dropForeground(path: string, m: Meta): Promise<void> {
  if (!m.deletionTimestamp || !m.finalizers?.includes("foregroundDeletion")) return;
  const base = path.replace(/\/([a-z]+)$/, m.namespace ? `/namespaces/${m.namespace}/$1` : "/$1");
  await kubeCall(
    api,
    "PATCH",
    `${base}/${m.name}`,
    { metadata: { finalizers: m.finalizers.filter((f) => f !== "foregroundDeletion") } },
    "application/merge-patch+json",
  );
}

async function sweep(): Promise<void> {
  const left = new Set<string>();
  for (const path of GC_LISTS) {
    for (const m of await items(path)) {
      await dropForeground(path, m);
      if (m.namespace) left.add(m.namespace);
    }
  }
  for (const ns of await items("/api/v1/namespaces")) {
    await dropForeground("/api/v1/namespaces", ns);
    // The namespace controller's job, for what the stack puts in a namespace: finalize once it is empty.
    if (ns.deletionTimestamp && !left.has(ns.name)) {
      await kubeCall(api, "PUT", `/api/v1/namespaces/${ns.name}/finalize`, {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: ns.name },
        spec: { finalizers: [] },
      });
    }
  }
}

for (;;) {
  try {
    await sweep();
  } catch (err) {
    process.stderr.write(`gc: ${err instanceof Error ? err.message : String(err)}\n`);
  }
  await new Promise((r) => setTimeout(r, 1_000));
}
