/**
 * Work a platform adapter still does after answering the platform (a reply through response_url, a file
 * offered after a card): stopping the bot waits for it, within a bound, so that nothing acknowledged is cut.
 */
export class InFlight {
  private readonly pending = new Set<Promise<unknown>>();

  track<T>(p: Promise<T>): Promise<T> {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p)).catch(() => undefined);
    return p;
  }

  /** Waits until nothing is in flight (one piece of work may start another), or `maxMs` passed. */
  async settle(maxMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    let late = false;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        late = true;
        resolve();
      }, maxMs);
    });
    while (this.pending.size > 0 && !late) await Promise.race([Promise.allSettled([...this.pending]), bound]);
    clearTimeout(timer);
  }
}
