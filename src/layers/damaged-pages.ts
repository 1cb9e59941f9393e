/**
 * Pages of a compressed container whose data does not decode (or whose descriptor is damaged): they read as zeros,
 * as a truncated dump's missing pages do, and are counted here so that the session can say so — one damaged page
 * must not make the whole image unreadable.
 */
export class DamagedPages {
  private seen = new Set<number>();
  private firstWhy: string | undefined;

  /** Notes the page at `address` (its first byte) as damaged, `why` naming it ("page at physical 0x…: …"). */
  note(address: number, why: string): void {
    if (this.seen.has(address)) return;
    this.seen.add(address);
    this.firstWhy ??= why;
  }

  get count(): number {
    return this.seen.size;
  }

  /** One line for warnings: how many pages read as zeros, and the first one's damage. */
  describe(container: string): string {
    const pages = this.count === 1 ? '1 page' : `${this.count} pages`;
    return `${container}: ${pages} could not be decoded and read as zeros (the first: ${this.firstWhy})`;
  }
}
