import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { EngineApi, MemoryRead, MemorySpace } from '../engine/engine-api.ts';
import { parseAddress } from '../engine/memory-read.ts';
import { isMemscopeError } from '../errors.ts';
import { controlStyles } from './shared-styles.ts';

/** Where the hex view should look; a new object re-targets it (e.g. a clicked address in a result table). */
export interface HexTarget {
  readonly space: MemorySpace;
  readonly address: string;
  /** Names a process space in the selector: "Process 104 (memimg_alpha)". */
  readonly processName?: string;
}

/** An entry of the space selector. */
interface SpaceChoice {
  readonly value: 'physical' | 'kernel' | 'process';
  readonly space: MemorySpace;
  readonly label: string;
}

const ROW = 16;
const PAGE = 4096;
const LENGTHS = [256, 1024, 4096] as const;
const ADDRESS_END = 1n << 64n;
const PHYSICAL: SpaceChoice = { value: 'physical', space: 'physical', label: 'Physical' };
const KERNEL: SpaceChoice = { value: 'kernel', space: 'kernel', label: 'Kernel virtual' };

interface HexRow {
  readonly address: string;
  readonly hex: string;
  readonly ascii: string;
  readonly unmapped: boolean;
}

/** Raw bytes of physical memory, the kernel address space or a process's, 16 to a row: address, hex, ASCII. */
@customElement('hex-view')
export class HexView extends LitElement {
  static override styles = [
    controlStyles,
    css`
      form {
        display: flex;
        flex-wrap: wrap;
        gap: 0.6em;
        align-items: center;
        margin-bottom: 0.5em;
      }
      select {
        font: inherit;
        font-size: 0.92em;
        padding: 0.25em;
      }
      .dump {
        font-family: var(--ms-mono, monospace);
        font-size: 12px;
        line-height: 18px;
        border: 1px solid var(--ms-border);
        background: var(--ms-surface);
        padding: 4px 8px;
        overflow: auto;
        max-height: var(--ms-grid-height, 60vh);
        white-space: pre;
      }
      .dump:focus-visible {
        outline: 2px solid var(--ms-accent);
      }
      .row {
        display: flex;
        gap: 2ch;
      }
      .address {
        color: var(--ms-muted);
      }
      /* Not mapped: muted, still readable (WCAG AA contrast). */
      .unmapped .hex,
      .unmapped .ascii {
        color: var(--ms-muted);
      }
      .error {
        color: var(--ms-danger);
      }
    `,
  ];

  /** The engine's readMemory (a function: a comlink proxy itself cannot be a Lit binding value). */
  @property({ attribute: false }) read?: EngineApi['readMemory'];
  @property({ attribute: false }) target?: HexTarget;
  @state() private space: SpaceChoice = KERNEL;
  /** The process space last opened, offered beside physical and kernel so the user can switch back to it. */
  @state() private process: SpaceChoice | undefined;
  @state() private start: bigint | undefined;
  @state() private length: number = 4096;
  @state() private memory: MemoryRead | undefined;
  @state() private error = '';
  @state() private loading = false;
  private requests = 0;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('target') && this.target) {
      const { space, processName } = this.target;
      if (typeof space === 'string') this.space = space === 'physical' ? PHYSICAL : KERNEL;
      else this.space = this.process = { value: 'process', space, label: `Process ${space.pid}${processName ? ` (${processName})` : ''}` };
      this.goTo(this.target.address);
    }
  }

  override render() {
    const choices = [PHYSICAL, KERNEL, ...(this.process ? [this.process] : [])];
    return html`
      <form @submit=${this.submit}>
        <label>Address <input type="text" name="address" class="mono" size="20" spellcheck="false"
          .value=${this.start === undefined ? '' : hex(this.start)} /></label>
        <select name="space" aria-label="Address space" @change=${(e: Event) => (this.space = choices.find((c) => c.value === (e.target as HTMLSelectElement).value)!)}>
          ${choices.map((c) => html`<option value=${c.value} ?selected=${c === this.space}>${c.label}</option>`)}
        </select>
        <select name="length" aria-label="Bytes shown" @change=${(e: Event) => this.setLength(Number((e.target as HTMLSelectElement).value))}>
          ${LENGTHS.map((n) => html`<option value=${n} ?selected=${n === this.length}>${n} bytes</option>`)}
        </select>
        <button type="submit" class="primary">Show</button>
        <button type="button" class="previous" ?disabled=${this.start === undefined || this.start === 0n} @click=${() => this.step(-1)}>◀ Previous</button>
        <button type="button" class="next" ?disabled=${this.start === undefined} @click=${() => this.step(1)}>Next ▶</button>
        ${this.loading ? html`<span class="muted">Reading…</span>` : nothing}
      </form>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${
        this.memory
          ? html`<div class="dump" tabindex="0" role="table" aria-label="${this.space.label} memory at ${this.memory.address} (PageUp / PageDown to move)"
            @keydown=${this.keydown}>${rowsOf(this.memory).map(
              (r) =>
                html`<div class="row ${r.unmapped ? 'unmapped' : ''}" role="row"><span class="address" role="cell">${r.address}</span><span class="hex" role="cell">${r.hex}</span><span class="ascii" role="cell">${r.ascii}</span></div>`,
            )}</div>`
          : html`<p class="muted">Enter an address, or click an address (an offset, a mapping's start) in a result table.</p>`
      }
    `;
  }

  private submit(e: SubmitEvent): void {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    this.goTo((form.elements.namedItem('address') as HTMLInputElement).value);
  }

  private keydown(e: KeyboardEvent): void {
    const direction = e.key === 'PageDown' ? 1 : e.key === 'PageUp' ? -1 : 0;
    if (!direction) return;
    e.preventDefault();
    this.step(direction);
  }

  private goTo(text: string): void {
    try {
      this.load(parseAddress(text));
    } catch (e) {
      this.error = isMemscopeError(e) ? e.message : String(e);
    }
  }

  private setLength(length: number): void {
    this.length = length;
    if (this.start !== undefined) this.load(this.start);
  }

  private step(direction: 1 | -1): void {
    if (this.start !== undefined) this.load(this.start + BigInt(direction * this.length));
  }

  /** Reads from `address` rounded down to a row, kept inside the 64-bit space. */
  private async load(address: bigint): Promise<void> {
    const length = BigInt(this.length);
    const start = clamp(address - (address % BigInt(ROW)), 0n, ADDRESS_END - length);
    const request = ++this.requests;
    this.start = start;
    this.error = '';
    this.loading = true;
    const outcome = await this.read?.(this.space.space, hex(start), this.length);
    if (request !== this.requests) return;
    this.loading = false;
    if (!outcome) return;
    if (outcome.ok) this.memory = outcome.value;
    else {
      this.memory = undefined;
      this.error = outcome.error.message;
    }
  }
}

function rowsOf(memory: MemoryRead): HexRow[] {
  const start = BigInt(memory.address);
  const inPage = Number(start % BigInt(PAGE));
  const unmappedPages = new Set(memory.unmapped.map((at) => Math.floor((inPage + at) / PAGE)));
  const rows: HexRow[] = [];
  for (let at = 0; at < memory.bytes.length; at += ROW) {
    const bytes = memory.bytes.subarray(at, at + ROW);
    const unmapped = unmappedPages.has(Math.floor((inPage + at) / PAGE));
    rows.push({
      address: hex(start + BigInt(at)).padStart(18),
      hex: [...bytes].map((b, i) => (i === 8 ? ' ' : '') + (unmapped ? '??' : b.toString(16).padStart(2, '0'))).join(' '),
      ascii: unmapped ? ' '.repeat(bytes.length) : String.fromCharCode(...bytes.map((b) => (b >= 0x20 && b < 0x7f ? b : 0x2e))),
      unmapped,
    });
  }
  return rows;
}

function hex(value: bigint): string {
  return `0x${value.toString(16)}`;
}

function clamp(value: bigint, low: bigint, high: bigint): bigint {
  return value < low ? low : value > high ? high : value;
}

declare global {
  interface HTMLElementTagNameMap {
    'hex-view': HexView;
  }
}
