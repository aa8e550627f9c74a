// The bytes of request bodies the router holds at once, across all requests (limits.maxBufferedBytes).
// A body is read whole before it is forwarded (the model name is rewritten, a failover resends it),
// and each buffered byte costs several more while the request is served (the parsed JSON, the
// re-serialised request), so many large bodies at once would take memory without bound: six
// concurrent 55 MB bodies took the router to 1.58 GB RSS. Beyond the budget a request is refused
// with 503 and Retry-After instead. Bytes are charged as they arrive, never as a Content-Length
// promises them: a client that declares 64 MiB and sends nothing holds nothing
// (test/router/http/body-arrival.test.ts). One connection holds at most one body (pipelined requests
// are served one after the other), so at most limits.maxBodyBytes of the budget.

export class BodyBudget {
  private used = 0;
  /** The size of the last request the budget could not take; undefined once it would fit again. */
  private refused: number | undefined;

  constructor(
    /** limits.maxBufferedBytes; a reload changes it for the requests that come after. */
    public limit: number,
  ) {}

  get buffered(): number {
    return this.used;
  }

  /** Whether the budget is refusing work: it refused a body that would still not fit (/readyz). */
  get refusing(): boolean {
    if (this.refused !== undefined && this.used + this.refused <= this.limit) this.refused = undefined;
    return this.refused !== undefined;
  }

  /** One request's share, released when the request is over. */
  hold(): BodyHold {
    return new BodyHold(this);
  }

  /** @internal */
  take(n: number, heldByRequest = 0): boolean {
    if (this.used + n > this.limit) {
      this.refused = heldByRequest + n;
      return false;
    }
    this.used += n;
    return true;
  }

  /** @internal */
  give(n: number): void {
    this.used -= n;
  }
}

export class BodyHold {
  private bytes = 0;

  constructor(private readonly budget: BodyBudget) {}

  /** Reserves n more bytes for this request; false when the budget cannot spare them. */
  take(n: number): boolean {
    if (!this.budget.take(n, this.bytes)) return false;
    this.bytes += n;
    return true;
  }

  /** Gives everything back; safe to call more than once. */
  release(): void {
    this.budget.give(this.bytes);
    this.bytes = 0;
  }
}
