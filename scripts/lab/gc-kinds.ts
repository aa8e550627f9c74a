// The lists scripts/lab/gc.ts sweeps: every kind the stack creates in its namespace, across namespaces.
// test/scripts/lab/gc.test.ts holds that the home stack creates no kind missing here (a Middleware once
// was, and `pulumi destroy` waited forever on its foregroundDeletion finalizer).
export const GC_LISTS = [
  "/api/v1/services",
  "/apis/traefik.io/v1alpha1/ingressroutes",
  "/apis/traefik.io/v1alpha1/traefikservices",
  "/apis/traefik.io/v1alpha1/middlewares",
];
