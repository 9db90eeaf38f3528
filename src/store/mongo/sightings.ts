/**
 * What the repair pass found to put right, pass after pass. Where writes run under the store's locks, what
 * the pass sees holding a lock is left over by a writer that stopped: it is put right at once. Elsewhere
 * (a MongoDB server, whose writers take no lock), a difference can also be a write half-way through right
 * now: it is put right only when the previous pass saw the very same one (no write takes that long).
 */
export class Sightings {
  private previous = new Map<string, string>();
  private current = new Map<string, string>();

  constructor(private readonly atOnce: boolean) {}

  /** Starts a pass: what the last one saw is what this one compares with. */
  begin(): void {
    this.previous = this.current;
    this.current = new Map();
  }

  /** Whether to put right `what` (a key), found in the state `state`. */
  ripe(what: string, state: string): boolean {
    this.current.set(what, state);
    return this.atOnce || this.previous.get(what) === state;
  }
}
