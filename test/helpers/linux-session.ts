import { createNodeEnv } from '../../src/cli/node-env.ts';
import { openSession, type Session, type SessionEnv } from '../../src/engine/session.ts';
import { NodeFileSource } from '../../src/io/node-file-source.ts';
import { linuxFixtureFile } from './linux-fixture.ts';

export type LinuxCapture = 'linux-a.raw' | 'linux-a.elf' | 'linux-a.lime' | 'linux-a.kdump';
export const LINUX_CAPTURES: readonly LinuxCapture[] = ['linux-a.raw', 'linux-a.elf', 'linux-a.lime', 'linux-a.kdump'];

/** A session on one capture of the real Linux fixture, with no symbol directory (BTF + kallsyms only). */
export async function openLinuxSession(capture: LinuxCapture, env: Partial<SessionEnv> & { symbolDirs?: string[] } = {}): Promise<Session> {
  const base = await createNodeEnv({ symbolDirs: env.symbolDirs ?? [], cache: false });
  return openSession(await NodeFileSource.open(await linuxFixtureFile(capture)), { ...base, ...env });
}

export { collect } from './windows-session.ts';
