import { linuxProfile } from './linux/linux-profile.ts';
import type { OsProfile } from './os-profile.ts';
import { windowsProfile } from './windows/windows-profile.ts';

/**
 * Registered OS profiles, in discovery order: the container's notes are asked in this order first, then memory is
 * searched in this order (see engine/os-discovery.ts). A new OS is one folder under src/os and one entry here.
 */
export const osProfiles = [windowsProfile, linuxProfile] as const;

type Registered = (typeof osProfiles)[number];

/** The registered OS ids: plugins' `{ kind: 'kernel', os }`, the summary's `os`. */
export type OsName = Registered['id'];

/** A registered profile with its discovery, find and kernel types left open: what the session works with. */
export type AnyOsProfile = OsProfile<OsName>;

/** The kernel context a profile builds. */
type KernelOfProfile<P extends Registered> = Extract<Awaited<ReturnType<P['loadKernel']>>, { readonly kernel: object }>['kernel'];

/** The kernel context of an OS id (WindowsKernel for 'windows'). */
export type KernelOf<Os extends OsName> = KernelOfProfile<Extract<Registered, { readonly id: Os }>>;

/**
 * One accessor per registered OS, named by its id (ctx.windows(), ctx.linux()): its kernel context for a run, which
 * throws OS_NOT_FOUND / SYMBOLS_MISSING / SYMBOLS_INVALID when the image has none.
 */
export type KernelAccessors = { readonly [P in Registered as P['id']]: () => Promise<ReturnType<P['runContext']>> };

export function osProfile(os: OsName): AnyOsProfile {
  return osProfiles.find((p) => p.id === os)!;
}
