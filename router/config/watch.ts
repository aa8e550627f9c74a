// Hot reload: watch the config file (editors and `pulumi up` replace it by rename, so the directory is
// watched) and SIGHUP; validate; hand a good config over, or report why the old one stays.
import { watch, type FSWatcher } from "node:fs";
import { basename, dirname } from "node:path";
import type { ConfigProblem, RouterConfig } from "./schema.js";
import { loadConfigFile } from "./load.js";

export interface ConfigWatcherHandlers {
  /** A valid file that differs from the config in force (or any valid file on SIGHUP); `sha256` of its bytes. */
  onConfig(cfg: RouterConfig, sha256?: string): void;
  onRejected(problems: ConfigProblem[]): void;
  /** A valid file identical to the config in force, e.g. an invalid edit undone: a rejection is over. */
  onUnchanged(sha256?: string): void;
}

export class ConfigWatcher {
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private last = "";
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly handlers: ConfigWatcherHandlers,
    private readonly debounceMs = 100,
  ) {}

  start(initialText?: string): void {
    if (initialText !== undefined) this.last = initialText;
    const name = basename(this.file);
    this.watcher = watch(dirname(this.file), (_event, changed) => {
      if (changed === null || changed === name) this.schedule();
    });
    this.watcher.on("error", () => undefined);
  }

  /** Re-reads the file now (SIGHUP); returns once the reload was applied or rejected. */
  reload(force = true): Promise<void> {
    this.running = this.running.then(() => this.apply(force));
    return this.running;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.reload(false), this.debounceMs);
  }

  private async apply(force: boolean): Promise<void> {
    const r = await loadConfigFile(this.file);
    if (!r.ok) {
      // A half-written file looks like this too; the next change event retries.
      this.handlers.onRejected(r.problems);
      return;
    }
    const text = JSON.stringify(r.config);
    if (!force && text === this.last) {
      this.handlers.onUnchanged(r.sha256);
      return;
    }
    try {
      this.handlers.onConfig(r.config, r.sha256);
    } catch (err) {
      // A valid file the router still cannot apply is a rejected reload, never an exit
      // (test/router/config/hostile-configs.test.ts).
      this.handlers.onRejected([{ path: "(root)", message: `cannot apply: ${(err as Error).message}` }]);
      return;
    }
    this.last = text;
  }
}
