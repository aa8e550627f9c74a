// What a capture holds: every resource the program declares, with its inputs as plain JSON, and the
// stack outputs. Captures cross a process boundary (the base ref renders in a child), so: JSON only.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A value the program marked secret; the digest lets the differ see a change without the value. */
export interface SecretValue {
  $secret: string;
}

export interface CapturedResource {
  /** Pulumi type token, e.g. `docker:index/container:Container`. */
  type: string;
  name: string;
  /** Name of the explicit provider resource, when one is set. */
  provider?: string;
  /** The host a remote command connects to (its connection is secret as a whole; the address is not). */
  address?: string;
  /** Inputs with every secret replaced by a {@link SecretValue}. */
  inputs: Record<string, Json>;
}

/** How the stack's hosts are addressed, to group resources by host. */
export interface CapturedHost {
  name: string;
  kind: "ssh" | "local";
  address?: string;
  socket?: string;
}

export interface AliasTarget {
  backend: string;
  model: string;
}

export interface Capture {
  stack: string;
  /** True when the stack (or the program) does not exist at this ref: everything is added. */
  absent: boolean;
  hosts: CapturedHost[];
  resources: CapturedResource[];
  /** The alias table per router host, in target (priority) order. */
  aliases: Record<string, Record<string, AliasTarget[]>>;
  /** Stack outputs, secrets replaced. */
  outputs: Record<string, Json>;
  /** Placeholder values filled in for secrets the stack file does not carry; masked on output. */
  placeholders: string[];
}

export function emptyCapture(stack: string): Capture {
  return { stack, absent: true, hosts: [], resources: [], aliases: {}, outputs: {}, placeholders: [] };
}

/** How an environment entry whose value is secret reads in a capture: `NAME={{secret:<digest>}}`. */
export const secretEnvPattern = /\{\{secret:[0-9a-f]+\}\}/g;

export function isSecretValue(v: unknown): v is SecretValue {
  return typeof v === "object" && v !== null && !Array.isArray(v) && typeof (v as Record<string, unknown>).$secret === "string" && Object.keys(v).length === 1;
}
