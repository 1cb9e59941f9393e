/**
 * Finds the _EPROCESS offsets the process plugins need in the image itself, with no symbol file: from the System
 * process (nt!PsInitialSystemProcess, an export) the PID and list links, then the process list, then every other
 * field, each candidate offset validated across the whole list (links consistent both ways, PIDs, names, times,
 * page-table roots, parents, PEBs whose image path names the process). A build's known offsets are tried first
 * and validated the same way; the distances all known layouts share are the next guess; then a search.
 */
import type { VirtualMemory } from '../../../plugins/api/memory.ts';
import type { Warn } from '../../../plugins/plugin.ts';
import { readUnicodeString } from '../unicode-string.ts';
import { DIRECTORY_TABLE_BASE, KNOWN_PROCESS_OFFSETS, RELATIONS, type ProcessOffsets } from './process-offsets.ts';
import { FILETIME_MAX, FILETIME_MIN, holdsInMost, sample, SPAN, type Sample } from './process-sample.ts';
import { STABLE_TYPES } from './stable-layouts.ts';

const KERNEL_HALF = 0xffff800000000000n;
const USER_TOP = 0x0000800000000000n;
const DTB_MASK = 0x000ffffffffff000n;
const MAX_PROCESSES = 0x10000;
/** Processes whose bytes the checks read (16 MiB at most): enough to tell every offset, bounded on a hostile list. */
const MAX_SAMPLES = 4096;
const SYSTEM_PID = 4n;
const IMAGE_FILE_NAME_LENGTH = 15;
const MIN_SHARE = 0.5;
const PEB_PROCESS_PARAMETERS = STABLE_TYPES['_PEB']!.fields['ProcessParameters']!.offset;
const PARAMETERS_IMAGE_PATH_NAME = STABLE_TYPES['_RTL_USER_PROCESS_PARAMETERS']!.fields['ImagePathName']!.offset;

export interface DiscoveryInput {
  readonly vm: VirtualMemory;
  /** The address space of a page-table root (a process's). */
  readonly processSpace: (dtb: bigint) => VirtualMemory;
  readonly kernelBase: bigint;
  readonly kernelSize: number;
  readonly dtb: number;
  readonly systemProcess: bigint;
  /** NtBuildNumber from KUSER_SHARED_DATA; null when unreadable. */
  readonly build: number | null;
  readonly warn: Warn;
}

export interface DiscoveredProcesses {
  readonly offsets: ProcessOffsets;
  /** RVA of nt!PsActiveProcessHead (the list head: the one entry inside the kernel image). */
  readonly activeProcessHeadRva: number;
  /** Whether the build's known offsets held, or the offsets were found by search. */
  readonly source: 'known' | 'discovered';
}

/** null when the System process or its list cannot be found. */
export async function discoverProcessOffsets(input: DiscoveryInput): Promise<DiscoveredProcesses | null> {
  const system = await sample(input.vm, input.systemProcess);
  const list = await findProcessList(input, system);
  if (!list) return null;
  const known = input.build === null ? undefined : KNOWN_PROCESS_OFFSETS.get(input.build);
  const pid = list.uniqueProcessId;
  const v = new Validators(input, list.processes, pid);
  const name = first([known?.imageFileName, ...range(pid, SPAN - IMAGE_FILE_NAME_LENGTH, 1)], (o) => v.imageFileName(o));
  const dtb = first([known?.directoryTableBase, DIRECTORY_TABLE_BASE, ...range(0, pid, 8)], (o) => v.directoryTableBase(o));
  if (name === null || dtb === null) return null;
  const peb = await firstAsync([known?.peb, ...range(pid, SPAN - 8, 8)], async (o) => (await v.pebShare(o, dtb, name)) >= MIN_SHARE);
  // A field measured from another: the known layout's distance first, then the distance all known layouts share.
  const from = (anchor: number, field: keyof typeof RELATIONS, knownAnchor: number | undefined) => [
    known && knownAnchor !== undefined && known[field] !== null ? anchor + known[field] - knownAnchor : undefined,
    anchor + RELATIONS[field],
  ];
  const createTime = first([...from(pid, 'createTime', known?.uniqueProcessId), ...range(pid, SPAN - 8, 8)], (o) => v.createTime(o));
  const parent = best(range(pid + 8, SPAN - 8, 8), (o) => v.parentShare(o), known?.inheritedFromUniqueProcessId);
  if (peb === null || createTime === null || parent === null) return null;
  // Only where a known distance holds: a search would take the first of the many kernel pointers.
  const token = first(from(pid, 'token', known?.uniqueProcessId), (o) => v.fastRef(o));
  const threadListHead = first(from(name, 'threadListHead', known?.imageFileName), (o) => v.listHead(o));
  const activeThreads = first(from(name, 'activeThreads', known?.imageFileName), (o) => v.threadCount(o));
  const audit = first(from(name, 'seAuditProcessCreationInfo', known?.imageFileName), (o) => v.kernelPointerOrNull(o));
  const session = first(from(peb, 'session', known?.peb), (o) => v.kernelPointerOrNull(o));
  const objectTable = first(from(peb, 'objectTable', known?.peb), (o) => v.kernelPointerOrNull(o));
  const wow64 = first(from(peb, 'wow64Process', known?.peb), (o) => v.kernelPointerOrNull(o));
  if (threadListHead === null || activeThreads === null || session === null || objectTable === null || wow64 === null || audit === null) return null;
  const found: Omit<ProcessOffsets, 'exitTime'> = {
    directoryTableBase: dtb,
    uniqueProcessId: pid,
    activeProcessLinks: pid + RELATIONS.activeProcessLinks,
    createTime,
    inheritedFromUniqueProcessId: parent,
    token,
    peb,
    session,
    objectTable,
    wow64Process: wow64,
    imageFileName: name,
    seAuditProcessCreationInfo: audit,
    threadListHead,
    activeThreads,
  };
  const matchesKnown = known !== undefined && (Object.keys(found) as (keyof typeof found)[]).every((k) => known[k] === found[k]);
  // A zero in every live process fits anywhere: the known ExitTime is taken only where the whole known layout held.
  const exitTime = matchesKnown && v.exitTime(known.exitTime, createTime) ? known.exitTime : null;
  if (exitTime === null) {
    const why = known ? 'its known layout did not hold' : 'no known layout';
    input.warn({
      code: 'UNSUPPORTED',
      message: `_EPROCESS.ExitTime is not known for build ${input.build ?? 'unknown'} (${why}): psscan looks for it in the exited processes it finds; elsewhere exit times show as N/A`,
    });
  }
  return {
    offsets: { ...found, exitTime },
    activeProcessHeadRva: Number(list.head - input.kernelBase),
    source: matchesKnown ? 'known' : 'discovered',
  };
}

/**
 * UniqueProcessId (4 in System) with ActiveProcessLinks right after it: System is the first process on the list, so
 * its Blink is the list head, inside the kernel image, whose Flink comes back to it.
 */
async function findProcessList(
  input: DiscoveryInput,
  system: Sample | null,
): Promise<{ uniqueProcessId: number; head: bigint; processes: Sample[] } | null> {
  if (!system) return null;
  for (let o = 0; o + 24 <= SPAN; o += 8) {
    if (system.bytes.getBigUint64(o, true) !== SYSTEM_PID) continue;
    const walk = await walkProcessList(input, system.address + BigInt(o + 8), o);
    if (walk) return { uniqueProcessId: o, ...walk };
  }
  return null;
}

/**
 * The processes on the list whose head is System's Blink: walked forward from the head, and backward from it where
 * a smeared link stops the forward walk, each link checked both ways; entries without a plausible, unique PID are
 * left out. Bounded (MAX_PROCESSES links each way, MAX_SAMPLES processes kept).
 */
async function walkProcessList(input: DiscoveryInput, systemLinks: bigint, pidOffset: number): Promise<{ head: bigint; processes: Sample[] } | null> {
  const head = await input.vm.readU64(systemLinks + 8n);
  const inImage = (a: bigint) => a >= input.kernelBase && a < input.kernelBase + BigInt(input.kernelSize);
  if (head === null || !inImage(head) || (await input.vm.readU64(head)) !== systemLinks) return null;
  const links = new Set<bigint>();
  for (const [forward, back] of [
    [0n, 8n],
    [8n, 0n],
  ] as const) {
    for (let at = head, n = 0; n < MAX_PROCESSES; n++) {
      const next = await input.vm.readU64(at + forward);
      if (next === null || next === head || next < KERNEL_HALF || links.has(next)) break;
      if ((await input.vm.readU64(next + back)) !== at) break;
      links.add(next);
      at = next;
    }
  }
  const pids = new Set<bigint>();
  const processes: Sample[] = [];
  const linksOffset = BigInt(pidOffset + 8);
  for (const link of links) {
    if (processes.length >= MAX_SAMPLES) break;
    const pid = await input.vm.readU64(link - 8n);
    if (pid === null || pid % 4n !== 0n || pid > 0xffffffffn || pids.has(pid)) continue;
    const s = await sample(input.vm, link - linksOffset);
    if (!s) continue;
    pids.add(pid);
    processes.push(s);
  }
  return pids.size >= 2 ? { head, processes } : null;
}

/** Offsets `from` to `to` (exclusive) in steps. */
function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let o = from; o < to; o += step) out.push(o);
  return out;
}

function first(candidates: readonly (number | undefined)[], valid: (o: number) => boolean): number | null {
  for (const o of candidates) if (o !== undefined && valid(o)) return o;
  return null;
}

async function firstAsync(candidates: readonly (number | undefined)[], valid: (o: number) => Promise<boolean>): Promise<number | null> {
  for (const o of candidates) if (o !== undefined && (await valid(o))) return o;
  return null;
}

/** The candidate scoring highest (at least MIN_SHARE); the known offset wins a tie. */
function best(candidates: readonly number[], score: (o: number) => number, known: number | undefined): number | null {
  let found: number | null = null;
  let top = MIN_SHARE;
  for (const o of known === undefined ? candidates : [known, ...candidates]) {
    const s = score(o);
    if (s > top || (s === top && found === null && s >= MIN_SHARE)) {
      found = o;
      top = s;
    }
  }
  return found;
}

/** Checks of one offset across the process list. */
class Validators {
  private readonly pids: Set<bigint>;
  private readonly system: Sample;

  constructor(
    private readonly input: DiscoveryInput,
    private readonly processes: readonly Sample[],
    private readonly pidOffset: number,
  ) {
    this.system = processes.find((p) => p.address === input.systemProcess) ?? processes[0]!;
    this.pids = new Set(processes.map((p) => this.u64(p, pidOffset)));
  }

  private u64(p: Sample, o: number): bigint {
    return o + 8 <= SPAN ? p.bytes.getBigUint64(o, true) : 0n;
  }

  /** Whether `test` holds in most of the processes. */
  private most(test: (p: Sample) => boolean): boolean {
    return holdsInMost(this.processes, test);
  }

  /** "System" in System; a printable name of 1 to 14 characters then NUL in (most) every process. */
  imageFileName(o: number): boolean {
    return name(this.system, o) === 'System' && this.most((p) => /^[\x20-\x7e]{1,14}$/.test(name(p, o) ?? ''));
  }

  /** System's is the kernel's page-table root; (most) every process has a plausible one. */
  directoryTableBase(o: number): boolean {
    if ((this.u64(this.system, o) & DTB_MASK) !== BigInt(this.input.dtb)) return false;
    return this.most((p) => (this.u64(p, o) & DTB_MASK) !== 0n && this.u64(p, o) >> 52n === 0n);
  }

  /** A FILETIME of 1999-2100 in most processes; System's (when set) the earliest of them. */
  createTime(o: number): boolean {
    const plausible = (t: bigint) => t > FILETIME_MIN && t < FILETIME_MAX;
    if (!this.most((p) => plausible(this.u64(p, o)) || p === this.system)) return false;
    const system = this.u64(this.system, o);
    return system === 0n || (plausible(system) && this.processes.every((p) => !plausible(this.u64(p, o)) || this.u64(p, o) >= system));
  }

  /** 0 or a FILETIME not before the process's creation, in (most) every process. */
  exitTime(o: number | null, createTime: number): boolean {
    if (o === null) return false;
    return this.most((p) => {
      const t = this.u64(p, o);
      return t === 0n || (t >= this.u64(p, createTime) && t < FILETIME_MAX);
    });
  }

  /** Share of processes (System aside) whose value is another listed PID; System's must be 0. */
  parentShare(o: number): number {
    if (o === this.pidOffset || this.u64(this.system, o) !== 0n) return 0;
    const others = this.processes.filter((p) => p !== this.system);
    const parents = others.filter((p) => this.u64(p, o) !== this.u64(p, this.pidOffset) && this.pids.has(this.u64(p, o))).length;
    return others.length === 0 ? 0 : parents / others.length;
  }

  /** Two kernel pointers (a LIST_ENTRY) in (most) every process. */
  listHead(o: number): boolean {
    return this.most((p) => this.u64(p, o) >= KERNEL_HALF && this.u64(p, o + 8) >= KERNEL_HALF);
  }

  /** A thread count: System has some, (almost) no process has millions. */
  threadCount(o: number): boolean {
    const count = (p: Sample): number => (o + 4 <= SPAN ? p.bytes.getUint32(o, true) : 0);
    return count(this.system) > 0 && this.most((p) => count(p) < 0x100000);
  }

  /** A kernel address (its low 4 bits a reference count) in System and (most) every process. */
  fastRef(o: number): boolean {
    const object = (p: Sample) => this.u64(p, o) & ~0xfn;
    return object(this.system) >= KERNEL_HALF && this.most((p) => object(p) >= KERNEL_HALF);
  }

  /** 0 or a kernel address in (most) every process. */
  kernelPointerOrNull(o: number): boolean {
    return this.most((p) => {
      const v = this.u64(p, o);
      return v === 0n || v >= KERNEL_HALF;
    });
  }

  /**
   * Share of the processes with a user-mode pointer there whose PEB's ProcessParameters.ImagePathName ends with
   * the process's name (as ImageFileName keeps it); 0 unless System has none, every value is 0 or user-mode and
   * at least half the other processes have one.
   */
  async pebShare(o: number, dtbOffset: number, nameOffset: number): Promise<number> {
    if (this.u64(this.system, o) !== 0n) return 0;
    const userPointer = (v: bigint) => v !== 0n && v < USER_TOP && v % 8n === 0n;
    if (!this.most((p) => this.u64(p, o) === 0n || userPointer(this.u64(p, o)))) return 0;
    const withPeb = this.processes.filter((p) => userPointer(this.u64(p, o)));
    if (withPeb.length === 0 || withPeb.length < (this.processes.length - 1) * MIN_SHARE) return 0;
    let matches = 0;
    for (const p of withPeb) {
      const space = this.input.processSpace(this.u64(p, dtbOffset) & DTB_MASK);
      const params = await space.readU64(this.u64(p, o) + BigInt(PEB_PROCESS_PARAMETERS));
      const header = params ? await space.read(params + BigInt(PARAMETERS_IMAGE_PATH_NAME), 16) : null;
      const path = header && (await readUnicodeString(space, header));
      const base = path?.slice(path.lastIndexOf('\\') + 1).toLowerCase();
      if (base?.startsWith((name(p, nameOffset) ?? '\0').toLowerCase())) matches++;
    }
    return matches / withPeb.length;
  }
}

function name(p: Sample, o: number): string | null {
  if (o + IMAGE_FILE_NAME_LENGTH > SPAN) return null;
  const bytes = new Uint8Array(p.bytes.buffer, o, IMAGE_FILE_NAME_LENGTH);
  const end = bytes.indexOf(0);
  return end <= 0 ? null : String.fromCharCode(...bytes.subarray(0, end));
}
