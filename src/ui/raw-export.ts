import { proxy } from 'comlink';
import type { ImageSummary } from '../engine/engine-api.ts';
import type { RawExportApi } from '../worker/raw-export-api.ts';
import { saveBlob } from './download.ts';

/** One export of the open image as a raw image, as the summary shows it. */
export interface RawExportState {
  /** The image exported (another opened since: the state is not shown). */
  readonly summary: ImageSummary;
  readonly fileName: string;
  readonly phase: 'writing' | 'done' | 'cancelled' | 'failed';
  /** Addresses covered of the raw image's size, and captured bytes written. */
  readonly done: number;
  readonly total: number;
  readonly captured: number;
  readonly elapsedMs: number;
  /** Written to the browser's own storage and handed to its downloads (no save dialog here). */
  readonly viaDownload: boolean;
  readonly error?: string;
}

/** `showSaveFilePicker` (File System Access API: Chromium), where the browser has it. */
type SavePicker = (options: {
  suggestedName: string;
  types: { description: string; accept: Record<string, string[]> }[];
}) => Promise<FileSystemFileHandle>;

/**
 * Exports the open image as a raw image, streamed from the engine worker: into the file the user picks where the
 * browser has a save dialog for the page (showSaveFilePicker), else into the origin private file system, then handed
 * to the browser's downloads as that disk-backed file. The image is never held in the page's memory.
 */
export class RawExportController {
  state: RawExportState | undefined;

  constructor(
    private readonly engine: RawExportApi,
    private readonly changed: () => void,
  ) {}

  /** Called from the button's click: the save dialog must open before anything is awaited (user activation). */
  async start(summary: ImageSummary): Promise<void> {
    if (this.state?.phase === 'writing') return;
    const fileName = rawFileName(summary.fileName);
    const picker = (window as { showSaveFilePicker?: SavePicker }).showSaveFilePicker;
    let target: FileSystemFileHandle | undefined;
    if (picker) {
      try {
        target = await picker.call(window, {
          suggestedName: fileName,
          types: [{ description: 'Raw memory image', accept: { 'application/octet-stream': ['.raw', '.mem', '.bin'] } }],
        });
      } catch (e) {
        // Dismissing the dialog is no failure; anything else is said.
        if ((e as Error).name !== 'AbortError')
          this.show({ ...idle(summary, fileName, false), phase: 'failed', error: `no file to write to: ${(e as Error).message}` });
        return;
      }
    }
    const started = performance.now();
    let state: RawExportState = idle(summary, target?.name ?? fileName, !target);
    this.show(state);
    const onProgress = proxy((done: number, total: number, captured: number) => {
      state = { ...state, done, total, captured, elapsedMs: performance.now() - started };
      if (this.state?.summary === summary && this.state.phase === 'writing') this.show(state);
    });
    const outcome = await this.engine.exportRaw(target, onProgress).catch((e: unknown) => ({
      ok: false as const,
      error: { code: 'READ_FAILED' as const, message: `The analysis engine failed: ${e instanceof Error ? e.message : String(e)}` },
    }));
    const ended = { ...state, elapsedMs: performance.now() - started };
    if (outcome.ok) {
      const { size, captured, file } = outcome.value;
      if (file) saveBlob(fileName, file);
      this.show({ ...ended, phase: 'done', done: size, total: size, captured });
    } else {
      const cancelled = outcome.error.code === 'CANCELLED';
      this.show({ ...ended, phase: cancelled ? 'cancelled' : 'failed', error: cancelled ? undefined : outcome.error.message });
    }
  }

  cancel(): void {
    if (this.state?.phase === 'writing') this.engine.cancelExport();
  }

  private show(state: RawExportState): void {
    this.state = state;
    this.changed();
  }
}

function idle(summary: ImageSummary, fileName: string, viaDownload: boolean): RawExportState {
  return { summary, fileName, phase: 'writing', done: 0, total: summary.physicalSize, captured: 0, elapsedMs: 0, viaDownload };
}

/** "memory.raw" for memory.lime, memory.raw.gz or memory.zip. */
export function rawFileName(imageName: string): string {
  return `${imageName.replace(/\.(gz|zip)$/i, '').replace(/\.[^.]*$/, '') || 'memory'}.raw`;
}

/** Whether exporting would only copy the file: a raw image as it is (not packed, nothing left out). */
export function isRawAlready(summary: ImageSummary): boolean {
  return summary.format === 'raw' && summary.fileSize === summary.physicalSize;
}
