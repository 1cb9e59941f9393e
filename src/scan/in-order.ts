/**
 * Results that arrive in any order (chunks scanned by a pool of workers), taken in index order: each as soon as it
 * and every one before it have arrived. A failure rejects the result waited for and every later take.
 */
export class InOrderResults<T> {
  private readonly arrived = new Map<number, T>();
  private failure: { readonly error: unknown } | undefined;
  private waiting: { readonly index: number; readonly resolve: (value: T) => void; readonly reject: (error: unknown) => void } | undefined;

  put(index: number, value: T): void {
    const waiting = this.waiting;
    if (waiting?.index === index) {
      this.waiting = undefined;
      waiting.resolve(value);
    } else {
      this.arrived.set(index, value);
    }
  }

  /** The first failure wins; later ones are ignored. */
  fail(error: unknown): void {
    if (this.failure) return;
    this.failure = { error };
    this.arrived.clear();
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(error);
  }

  /** One take at a time: the caller awaits each before asking for the next index. */
  take(index: number): Promise<T> {
    if (this.failure) return Promise.reject(this.failure.error);
    if (this.arrived.has(index)) {
      const value = this.arrived.get(index) as T;
      this.arrived.delete(index);
      return Promise.resolve(value);
    }
    return new Promise((resolve, reject) => (this.waiting = { index, resolve, reject }));
  }
}
