// Facts about the machine a run happened on, printed with every table.
import { cpus, totalmem, release } from "node:os";

export function machineFacts(): Record<string, string> {
  const cpu = cpus();
  return {
    cores: String(cpu.length),
    cpu: cpu[0]?.model.trim() ?? "unknown",
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    node: process.version,
    kernel: release(),
  };
}
