import type { JobProgress } from '../engine/engine-api.ts';
import type { PluginRow } from '../plugins/plugin.ts';

export interface StreamPacing {
  /** Rows per message at most. */
  readonly batchRows: number;
  /** A row waits at most this long before it is sent. */
  readonly batchMs: number;
  /** Progress is sent at most this often (the last value always). */
  readonly progressMs: number;
}

export const DEFAULT_PACING: StreamPacing = { batchRows: 500, batchMs: 50, progressMs: 100 };

/**
 * Carries one job's rows and progress across the worker boundary in few messages: rows in batches
 * (full batches are awaited, so a slow page slows the plugin instead of queueing unbounded rows),
 * progress throttled. Once closed it sends nothing more: the job's end releases the page's callbacks, while
 * work the job started (a scan's chunks still in a worker) may still report progress.
 */
export class JobStream {
  private rows: PluginRow[] = [];
  private rowTimer: ReturnType<typeof setTimeout> | undefined;
  private lastProgressAt = -Infinity;
  private pendingProgress: JobProgress | undefined;
  private progressTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  count = 0;

  constructor(
    private readonly onRows: (rows: PluginRow[]) => unknown,
    private readonly onProgress: (p: JobProgress) => unknown,
    private readonly pacing: StreamPacing = DEFAULT_PACING,
  ) {}

  async add(row: PluginRow): Promise<void> {
    this.rows.push(row);
    this.count++;
    if (this.rows.length >= this.pacing.batchRows) await this.flushRows();
    else this.rowTimer ??= setTimeout(() => void this.flushRows(), this.pacing.batchMs);
  }

  progress(done: number, total: number, stage: string): void {
    if (this.closed) return;
    this.pendingProgress = { done, total, stage };
    const wait = this.lastProgressAt + this.pacing.progressMs - Date.now();
    if (wait <= 0) this.sendProgress();
    else this.progressTimer ??= setTimeout(() => this.sendProgress(), wait);
  }

  /** Sends whatever is buffered and stops sending; call when the job ends, however it ends. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.pendingProgress) this.sendProgress();
    await this.flushRows();
  }

  private async flushRows(): Promise<void> {
    clearTimeout(this.rowTimer);
    this.rowTimer = undefined;
    if (this.rows.length === 0) return;
    const batch = this.rows;
    this.rows = [];
    await this.onRows(batch);
  }

  private sendProgress(): void {
    clearTimeout(this.progressTimer);
    this.progressTimer = undefined;
    const p = this.pendingProgress;
    this.pendingProgress = undefined;
    this.lastProgressAt = Date.now();
    if (p) void this.onProgress(p);
  }
}
