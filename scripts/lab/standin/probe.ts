// The healthcheck commands the stack's containers run, for the lab's stand-in images (which carry Node,
// not Python or curl): `python3 -c "...urlopen('<url>'...)"` and `curl -fsS <url>` fetch the URL and
// succeed on a 2xx answer, as the real commands do. `python3 -c "import ray ..."` (the vLLM head waiting
// for its workers) succeeds at once: the stand-in has no Ray cluster to wait for.

async function get(url: string): Promise<number> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    process.stdout.write(await res.text());
    return res.ok ? 0 : 22;
  } catch (err) {
    process.stderr.write(`${url}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 7;
  }
}

async function main(): Promise<number> {
  const [as, ...args] = process.argv.slice(2);
  if (as === "python3") {
    const code = args[0] === "-c" ? (args[1] ?? "") : "";
    const url = /urlopen\(\s*['"]([^'"]+)['"]/.exec(code)?.[1];
    if (url) return (await get(url)) === 0 ? 0 : 1;
    if (/\bimport ray\b/.test(code)) return 0;
    process.stderr.write(`python3 stand-in: cannot run ${JSON.stringify(args)}\n`);
    return 1;
  }
  if (as === "curl") {
    const url = args.filter((a) => !a.startsWith("-")).at(-1);
    return url ? get(url) : 2;
  }
  process.stderr.write(`probe: unknown command ${String(as)}\n`);
  return 2;
}

void main().then((code) => process.exit(code));
