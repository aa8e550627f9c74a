// Entry point (Pulumi.yaml `main`). Everything is validated before the first resource is declared.
import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig } from "./config/load.js";
import { buildStack } from "./program.js";

const outputs = buildStack(loadStackConfig());

/** The router config each router host receives: backends, the alias table, key digests. */
export const routerConfigs = pulumi.output(outputs.routerConfigs);
export const urls = outputs.urls;
export const routerUrls = outputs.routerUrls;
