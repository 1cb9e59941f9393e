import type { VirtualMemory } from '../../plugins/api/memory.ts';
import type { ProcessParameters, SharedUserData, WindowsKernelContext, WindowsKernelImage, WindowsProcess } from '../../plugins/api/windows.ts';
import { KernelRunContext } from '../kernel-context.ts';
import { readSharedUserData } from './kuser-shared-data.ts';
import { activeProcesses } from './process-list.ts';
import { scanProcesses } from './process-scan.ts';
import { handleCount, processParameters, sessionId } from './process.ts';
import { readUnicodeString } from './unicode-string.ts';
import type { WindowsKernel } from './windows-kernel.ts';

/** _UNICODE_STRING: Length, MaximumLength, padding, Buffer. */
const UNICODE_STRING_SIZE = 16;

/** The published WindowsKernelContext: the Windows kernel as one plugin run reads it. */
export class WindowsRunContext extends KernelRunContext<WindowsKernel> implements WindowsKernelContext {
  get image(): WindowsKernelImage {
    const { base, pe } = this.kernel.image;
    return {
      base,
      machine: pe.machine,
      timeDateStamp: pe.timeDateStamp,
      majorOperatingSystemVersion: pe.majorOperatingSystemVersion,
      minorOperatingSystemVersion: pe.minorOperatingSystemVersion,
    };
  }

  get dtb(): number {
    return this.kernel.discovery.dtb;
  }

  async *processes(): AsyncIterable<WindowsProcess> {
    for await (const p of activeProcesses(this.kernel, this.warn())) {
      this.run.signal?.throwIfAborted();
      yield p;
    }
  }

  scanProcesses(): AsyncIterable<WindowsProcess> {
    const { scanner, signal, progress } = this.run;
    return scanProcesses(this.kernel, scanner, this.warn(), { signal, onProgress: progress });
  }

  processSpace(process: WindowsProcess): VirtualMemory {
    return this.kernel.processLayer(process.dtb);
  }

  processParameters(process: WindowsProcess): Promise<ProcessParameters> {
    return processParameters(this.kernel, process);
  }

  handleCount(process: WindowsProcess): Promise<number | null> {
    return handleCount(this.kernel, process);
  }

  sessionId(process: WindowsProcess): Promise<number | null> {
    return sessionId(this.kernel, process);
  }

  sharedUserData(): Promise<SharedUserData | null> {
    return readSharedUserData(this.kernel);
  }

  async readUnicodeString(address: bigint, space: VirtualMemory = this.kernel.vm): Promise<string | null> {
    const header = await space.read(address, UNICODE_STRING_SIZE);
    return header && readUnicodeString(space, header);
  }
}
