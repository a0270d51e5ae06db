// A background loop that works at once when kicked (new rows were committed) and otherwise looks
// for work every so often (work nobody told it about: another process's commit). The search
// indexer and the deriver are such loops; each implements run() and calls idle() when it has
// found nothing to do.
export abstract class KickedLoop {
  protected readonly abort = new AbortController();
  /** set by kick(); cleared by run() when it starts looking for work */
  protected kicked = false;
  private wake: (() => void) | null = null;
  private running: Promise<void> | null = null;

  start(): this {
    this.running ??= this.run();
    return this;
  }

  /** New work was committed: look now rather than at the next idle poll. */
  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  /** Stops after the unit of work in hand. */
  async stop(): Promise<void> {
    this.abort.abort();
    this.wake?.();
    await this.running;
  }

  protected abstract run(): Promise<void>;

  /** Waits `ms`, or less if kicked or stopped meanwhile. */
  protected idle(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
      if (this.abort.signal.aborted) done();
    });
  }
}
