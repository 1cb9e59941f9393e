import type { TokenInfo, TokenPrivilege, TokenSid, WindowsProcess } from '../../plugins/api/windows.ts';
import type { Warn } from '../../plugins/plugin.ts';
import { PRIVILEGES } from './privilege-table.ts';
import { sidName, sidString, validSid } from './sids.ts';
import type { WindowsKernel } from './windows-kernel.ts';

export type { TokenInfo };

/** _EX_FAST_REF keeps a reference count in the low 4 bits of the pointer (x64). */
const FAST_REF_MASK = 0xfn;
/** More user and group SIDs than any real token holds (Windows caps a token near 1024 groups); a larger count is smear. */
export const MAX_TOKEN_SIDS = 1024;
const MASK_BITS = 64;

const hex = (v: bigint): string => `0x${v.toString(16)}`;

/** The _TOKEN behind _EPROCESS.Token; null (with an UNREADABLE warning) when it is not in the captured memory. */
export async function readToken(kernel: WindowsKernel, process: WindowsProcess, warn: Warn): Promise<TokenInfo | null> {
  const address = process.view.u64('Token.Value') & ~FAST_REF_MASK;
  const token = address === 0n ? null : await kernel.readStruct('_TOKEN', address);
  if (!token) {
    warn({ code: 'UNREADABLE', message: `the token at ${hex(address)} is not in the captured memory`, address: hex(address) });
    return null;
  }
  const sids = await readUserAndGroups(kernel, token.u64('UserAndGroups'), token.u32('UserAndGroupCount'), address, warn);
  const masks = {
    present: token.u64('Privileges.Present'),
    enabled: token.u64('Privileges.Enabled'),
    byDefault: token.u64('Privileges.EnabledByDefault'),
  };
  return { address, user: sids[0] ?? null, groups: sids.slice(1).filter((s) => s !== null), privileges: privileges(masks, address, warn) };
}

/** UserAndGroups: _SID_AND_ATTRIBUTES[count], each pointing at a _SID. Index 0 (the user) is null when unreadable. */
async function readUserAndGroups(kernel: WindowsKernel, array: bigint, claimed: number, token: bigint, warn: Warn): Promise<(TokenSid | null)[]> {
  const { layout } = kernel;
  let count = claimed;
  if (count > MAX_TOKEN_SIDS) {
    warn({ code: 'LIMIT', message: `the token claims ${claimed} user and group SIDs; reading the first ${MAX_TOKEN_SIDS}`, address: hex(token) });
    count = MAX_TOKEN_SIDS;
  }
  if (count === 0) return [];
  const entrySize = layout.size('_SID_AND_ATTRIBUTES');
  const entries = await kernel.vm.read(array, count * entrySize);
  if (!entries) {
    warn({ code: 'UNREADABLE', message: `its ${count} user and group SIDs at ${hex(array)} are not in the captured memory`, address: hex(array) });
    return [];
  }
  const view = new DataView(entries.buffer, entries.byteOffset, entries.byteLength);
  const sidAt = layout.offset('_SID_AND_ATTRIBUTES', 'Sid');
  const attributesAt = layout.offset('_SID_AND_ATTRIBUTES', 'Attributes');
  const sids: (TokenSid | null)[] = [];
  const unreadable: bigint[] = [];
  for (let i = 0; i < count; i++) {
    const sidAddress = view.getBigUint64(i * entrySize + sidAt, true);
    const sid = await readSid(kernel, sidAddress);
    if (sid === 'invalid') {
      // Like RtlValidSid and Volatility: what follows an invalid SID is not trusted either.
      warn({
        code: 'SMEAR',
        message: `SID ${i} of the token at ${hex(sidAddress)} is not a valid SID; the ${count - i} from it are left out`,
        address: hex(sidAddress),
      });
      break;
    }
    if (sid === null) unreadable.push(sidAddress);
    const attributes = view.getUint32(i * entrySize + attributesAt, true);
    sids.push(sid === null ? null : { sid, name: sidName(sid), attributes });
  }
  if (unreadable.length > 0) {
    const first = hex(unreadable[0]!);
    warn({
      code: 'UNREADABLE',
      message: `${unreadable.length} of the token's ${count} SIDs are not in the captured memory (the first at ${first})`,
      address: first,
    });
  }
  return sids;
}

/** The SID's text, null when unreadable, 'invalid' when it fails RtlValidSid. */
async function readSid(kernel: WindowsKernel, address: bigint): Promise<string | null | 'invalid'> {
  const { layout } = kernel;
  const subAuthorityAt = layout.offset('_SID', 'SubAuthority');
  const header = await kernel.vm.read(address, subAuthorityAt);
  if (!header) return null;
  const revision = header[layout.offset('_SID', 'Revision')]!;
  const subAuthorityCount = header[layout.offset('_SID', 'SubAuthorityCount')]!;
  if (!validSid(revision, subAuthorityCount)) return 'invalid';
  const authorityAt = layout.offset('_SID', 'IdentifierAuthority');
  const authority = header.subarray(authorityAt, authorityAt + 6).reduce((v, b) => (v << 8n) | BigInt(b), 0n);
  const subs = subAuthorityCount === 0 ? new Uint8Array(0) : await kernel.vm.read(address + BigInt(subAuthorityAt), 4 * subAuthorityCount);
  if (!subs) return null;
  const view = new DataView(subs.buffer, subs.byteOffset, subs.byteLength);
  const subAuthorities = Array.from({ length: subAuthorityCount }, (_, i) => view.getUint32(4 * i, true));
  return sidString({ revision, authority, subAuthorities });
}

interface PrivilegeMasks {
  readonly present: bigint;
  readonly enabled: bigint;
  readonly byDefault: bigint;
}

/** Every privilege Windows defines, then any other bit set in the masks (with a SMEAR warning). */
function privileges(masks: PrivilegeMasks, token: bigint, warn: Warn): TokenPrivilege[] {
  const flags = (value: number) => {
    const bit = 1n << BigInt(value);
    return { present: (masks.present & bit) !== 0n, enabled: (masks.enabled & bit) !== 0n, enabledByDefault: (masks.byDefault & bit) !== 0n };
  };
  const known = new Set(PRIVILEGES.map((p) => p.value));
  const named = PRIVILEGES.map((p) => ({ value: p.value, name: p.name, description: p.description, ...flags(p.value) }));
  const unknown: TokenPrivilege[] = [];
  const any = masks.present | masks.enabled | masks.byDefault;
  for (let value = 0; value < MASK_BITS; value++) {
    if (!known.has(value) && any & (1n << BigInt(value))) unknown.push({ value, name: null, description: null, ...flags(value) });
  }
  if (unknown.length > 0) {
    const bits = unknown.map((p) => p.value).join(', ');
    warn({ code: 'SMEAR', message: `the token's privilege masks set bits that name no privilege (${bits})`, address: hex(token) });
  }
  return [...named, ...unknown];
}
