// The lab's certificates (openssl): one CA, a serving certificate for the Kubernetes API server, and
// Traefik's default certificate for the stack's domain, so clients verify both against the lab's CA.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { sh } from "./sys.js";

export interface Cert {
  cert: string;
  key: string;
}

export interface LabPki {
  ca: string;
  issue(name: string, cn: string, altNames: string[]): Cert;
}

export function labPki(dir: string): LabPki {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const ca = join(dir, "ca.crt");
  const caKey = join(dir, "ca.key");
  if (!existsSync(ca)) {
    sh("openssl", [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "30",
      "-subj",
      "/CN=aistack lab CA",
      "-keyout",
      caKey,
      "-out",
      ca,
    ]);
  }
  return {
    ca,
    issue(name, cn, altNames) {
      const cert = join(dir, `${name}.crt`);
      const key = join(dir, `${name}.key`);
      const csr = join(dir, `${name}.csr`);
      const ext = join(dir, `${name}.ext`);
      sh("openssl", ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", `/CN=${cn}`, "-keyout", key, "-out", csr]);
      sh("sh", ["-c", `printf 'subjectAltName=%s\\nextendedKeyUsage=serverAuth\\n' "$1" > "$2"`, "sh", altNames.join(","), ext]);
      sh("openssl", ["x509", "-req", "-in", csr, "-CA", ca, "-CAkey", caKey, "-CAcreateserial", "-days", "30", "-extfile", ext, "-out", cert]);
      return { cert, key };
    },
  };
}
