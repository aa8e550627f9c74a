// Traefik routing on Kubernetes: ExternalName Services for Open WebUI and each router, an optional
// TraefikService balancing the routers, the retry Middleware on the routes to the routers, and the
// IngressRoute. Traefik must run with
// `allowExternalNameServices` for the Kubernetes CRD provider.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { IngressSpec } from "../specs/ingress.js";

export interface TraefikIngressArgs {
  spec: IngressSpec;
  kubeconfig?: string;
  context?: string;
}

export class TraefikIngress extends pulumi.ComponentResource {
  readonly ingressRoute: k8s.apiextensions.CustomResource;

  constructor(name: string, args: TraefikIngressArgs, opts?: pulumi.ComponentResourceOptions) {
    super("aistack:ingress:TraefikIngress", name, {}, opts);
    const provider = new k8s.Provider(
      `${name}-k8s`,
      {
        ...(args.kubeconfig ? { kubeconfig: pulumi.secret(args.kubeconfig) } : {}),
        ...(args.context ? { context: args.context } : {}),
      },
      { parent: this },
    );
    const o = { parent: this, provider };
    const ns = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: { name: args.spec.namespace } }, o);
    const inNs = { ...o, dependsOn: [ns] };
    const services = args.spec.services.map(
      (s) =>
        new k8s.core.v1.Service(
          `${name}-${s.name}`,
          {
            metadata: { name: s.name, namespace: args.spec.namespace },
            spec: { type: "ExternalName", externalName: s.externalName, ports: [{ name: "http", port: s.port, targetPort: s.port }] },
          },
          inNs,
        ),
    );
    const balancer = args.spec.routerBalancer
      ? new k8s.apiextensions.CustomResource(
          `${name}-${args.spec.routerBalancer.name}`,
          {
            apiVersion: "traefik.io/v1alpha1",
            kind: "TraefikService",
            metadata: { name: args.spec.routerBalancer.name, namespace: args.spec.namespace },
            spec: args.spec.routerBalancer.spec,
          },
          { ...o, dependsOn: [ns, ...services] },
        )
      : undefined;
    const retry = new k8s.apiextensions.CustomResource(
      `${name}-${args.spec.routerRetry.name}`,
      {
        apiVersion: "traefik.io/v1alpha1",
        kind: "Middleware",
        metadata: { name: args.spec.routerRetry.name, namespace: args.spec.namespace },
        spec: args.spec.routerRetry.spec,
      },
      inNs,
    );
    this.ingressRoute = new k8s.apiextensions.CustomResource(
      `${name}-route`,
      {
        apiVersion: "traefik.io/v1alpha1",
        kind: "IngressRoute",
        metadata: { name: args.spec.ingressRoute.name, namespace: args.spec.namespace },
        spec: args.spec.ingressRoute.spec,
      },
      { ...o, dependsOn: [ns, ...services, retry, ...(balancer ? [balancer] : [])] },
    );
    this.registerOutputs({});
  }
}
