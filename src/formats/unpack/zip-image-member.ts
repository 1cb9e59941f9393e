/** What the central directory says of a member (zip.js's entry metadata has these fields). */
export interface ZipMemberInfo {
  readonly filename: string;
  readonly uncompressedSize: number;
  readonly directory: boolean;
}

export type ImageMemberChoice<T extends ZipMemberInfo> =
  | { readonly member: T }
  /** symbols: a Volatility symbol pack; none: no member that can be memory; ambiguous: several that can. */
  | { readonly refusal: 'symbols' | 'none' | 'ambiguous'; readonly why: string };

/** Volatility ISF files and PDBs: what a symbol pack holds. */
const SYMBOL_NAME = /\.(json|json\.xz|json\.gz|pdb)$/i;
/** Notes, hashes and logs an acquisition tool puts beside the image. */
const TEXT_NAME = /\.(txt|log|md|csv|xml|html?|ya?ml|ini|cfg|conf|sha1|sha256|sha512|md5|sig|asc|pdf)$/i;
/** Smaller than one page cannot be a memory image. */
const MIN_IMAGE_BYTES = 4096;
/** A second candidate at least this fraction of the largest one's size makes the choice a guess. */
const AMBIGUOUS_FRACTION = 0.5;
const LISTED = 8;

/**
 * The member of a ZIP that is a memory image: the largest member that is neither text nor a symbol file, unless
 * another is nearly as large (then which one is meant is the user's to say). A ZIP of ISF files is a symbol pack.
 */
export function imageMember<T extends ZipMemberInfo>(members: readonly T[]): ImageMemberChoice<T> {
  const files = members.filter((m) => !m.directory);
  const candidates = files
    .filter((m) => !SYMBOL_NAME.test(m.filename) && !TEXT_NAME.test(m.filename) && m.uncompressedSize >= MIN_IMAGE_BYTES)
    .sort((a, b) => b.uncompressedSize - a.uncompressedSize);
  const [largest, second] = candidates;
  if (!largest) {
    const symbols = files.filter((m) => SYMBOL_NAME.test(m.filename)).length;
    if (symbols > 0) return { refusal: 'symbols', why: `a symbol pack (${symbols} symbol files), not a memory image: add it as symbols` };
    return { refusal: 'none', why: `a ZIP archive with no memory image in it (${list(files)})` };
  }
  if (second && second.uncompressedSize >= largest.uncompressedSize * AMBIGUOUS_FRACTION) {
    return {
      refusal: 'ambiguous',
      why: `a ZIP archive with several members that may be memory images (${list(candidates)}): extract the one to open`,
    };
  }
  return { member: largest };
}

function list(members: readonly ZipMemberInfo[]): string {
  if (members.length === 0) return 'no members';
  const named = members.slice(0, LISTED).map((m) => `${m.filename}, ${m.uncompressedSize} bytes`);
  return `members: ${named.join('; ')}${members.length > LISTED ? `; and ${members.length - LISTED} more` : ''}`;
}
