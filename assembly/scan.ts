// Multi-pattern scanning of a chunk in linear memory.
// Hits: 8 bytes each — pattern index u32 @0, offset in the chunk u32 @4 — ordered by offset, then pattern.
// Only offsets in [start, limit) are reported (the caller's chunk overlap lies beyond `limit`).
// A call stops after the first offset at which `cap` hits are reached, so the hit buffer must hold
// cap + (number of patterns) entries; the offset to resume from is stored as u32 at `ctl` (`limit` when done).
// Chunks are below 2 GiB, so u32 offset arithmetic cannot overflow.

@inline function hit(out: usize, count: u32, pattern: u32, offset: u32): void {
  const rec = out + (<usize>count << 3);
  store<u32>(rec, pattern);
  store<u32>(rec, offset, 4);
}

@inline function finish(ctl: usize, next: u32, count: u32): u32 {
  store<u32>(ctl, next);
  return count;
}

// ---------------------------------------------------------------------------------------------
// Aligned 4-byte tags at offsets first, first + stride, ... (each with offset + 4 ≤ len).
// tags: 32 × u32 little-endian tag values; entries from ntags on repeat tag 0 (they only feed the prefilter).

export function scanTags(
  data: usize, len: u32, first: u32, stride: u32, limit: u32,
  tags: usize, ntags: u32, out: usize, cap: u32, ctl: usize,
): u32 {
  const end = min(limit, len >= 4 ? len - 3 : 0);
  const stride4 = stride * 4;
  const t0 = v128.load(tags);
  const t1 = v128.load(tags, 16);
  const t2 = v128.load(tags, 32);
  const t3 = v128.load(tags, 48);
  const t4 = v128.load(tags, 64);
  const t5 = v128.load(tags, 80);
  const t6 = v128.load(tags, 96);
  const t7 = v128.load(tags, 112);
  const one = ntags == 1;
  const tag = load<u32>(tags);
  const few = ntags <= 4;
  const many = ntags > 16;
  let count: u32 = 0;
  let p = first;
  while (p < end) {
    // Skip groups of four candidates that cannot hold a tag.
    while (end > stride * 3 && p < end - stride * 3) {
      const a = data + p;
      const v0 = load<u32>(a);
      const v1 = load<u32>(a + stride);
      const v2 = load<u32>(a + stride * 2);
      const v3 = load<u32>(a + stride * 3);
      if (one) {
        if ((v0 == tag) | (v1 == tag) | (v2 == tag) | (v3 == tag)) break;
      } else {
        const s0 = i32x4.splat(v0);
        const s1 = i32x4.splat(v1);
        const s2 = i32x4.splat(v2);
        const s3 = i32x4.splat(v3);
        let m = v128.or(v128.or(i32x4.eq(s0, t0), i32x4.eq(s1, t0)), v128.or(i32x4.eq(s2, t0), i32x4.eq(s3, t0)));
        if (!few) {
          m = v128.or(m, v128.or(v128.or(i32x4.eq(s0, t1), i32x4.eq(s1, t1)), v128.or(i32x4.eq(s2, t1), i32x4.eq(s3, t1))));
          m = v128.or(m, v128.or(v128.or(i32x4.eq(s0, t2), i32x4.eq(s1, t2)), v128.or(i32x4.eq(s2, t2), i32x4.eq(s3, t2))));
          m = v128.or(m, v128.or(v128.or(i32x4.eq(s0, t3), i32x4.eq(s1, t3)), v128.or(i32x4.eq(s2, t3), i32x4.eq(s3, t3))));
        }
        if (many) {
          m = v128.or(m, v128.or(v128.or(i32x4.eq(s0, t4), i32x4.eq(s1, t4)), v128.or(i32x4.eq(s2, t4), i32x4.eq(s3, t4))));
          m = v128.or(m, v128.or(v128.or(i32x4.eq(s0, t5), i32x4.eq(s1, t5)), v128.or(i32x4.eq(s2, t5), i32x4.eq(s3, t5))));
          m = v128.or(m, v128.or(v128.or(i32x4.eq(s0, t6), i32x4.eq(s1, t6)), v128.or(i32x4.eq(s2, t6), i32x4.eq(s3, t6))));
          m = v128.or(m, v128.or(v128.or(i32x4.eq(s0, t7), i32x4.eq(s1, t7)), v128.or(i32x4.eq(s2, t7), i32x4.eq(s3, t7))));
        }
        if (v128.any_true(m)) break;
      }
      p += stride4;
    }
    // One group (or the tail) candidate by candidate.
    const groupEnd = min(end, p + stride4);
    while (p < groupEnd) {
      const value = load<u32>(data + p);
      for (let t: u32 = 0; t < ntags; t++) {
        if (load<u32>(tags + (<usize>t << 2)) == value) hit(out, count++, t, p);
      }
      p += stride;
      if (count >= cap) return finish(ctl, min(p, limit), count);
    }
  }
  return finish(ctl, limit, count);
}

// ---------------------------------------------------------------------------------------------
// Byte signatures at any offset. pats: 48 bytes per pattern — bytes ptr u32 @0, length u32 @4,
// two probe positions k1 u32 @8 and k2 u32 @12 (k1 < k2 < length), the byte at k1 repeated ×16 @16,
// the byte at k2 repeated ×16 @32. The probes prefilter 16 offsets at a time; candidates are verified in full.

const PATTERN_RECORD: usize = 48;

export function scanBytes(
  data: usize, len: u32, start: u32, limit: u32,
  pats: usize, npat: u32, out: usize, cap: u32, ctl: usize,
): u32 {
  let maxProbe: u32 = 0;
  for (let t: u32 = 0; t < npat; t++) maxProbe = max(maxProbe, load<u32>(pats + <usize>t * PATTERN_RECORD, 12));
  // Offsets p < vectorEnd allow 16-byte loads at p + k2.
  const vectorEnd = min(limit, len >= maxProbe + 16 ? len - maxProbe - 15 : 0);
  let count: u32 = 0;
  let p = start;
  const k1a = load<u32>(pats, 8);
  const k2a = load<u32>(pats, 12);
  const c1a = v128.load(pats, 16);
  const c2a = v128.load(pats, 32);
  while (p < vectorEnd) {
    const a = data + p;
    let m = v128.and(i8x16.eq(v128.load(a + k1a), c1a), i8x16.eq(v128.load(a + k2a), c2a));
    for (let t: u32 = 1; t < npat; t++) {
      const rec = pats + <usize>t * PATTERN_RECORD;
      m = v128.or(m, v128.and(
        i8x16.eq(v128.load(a + load<u32>(rec, 8)), v128.load(rec, 16)),
        i8x16.eq(v128.load(a + load<u32>(rec, 12)), v128.load(rec, 32)),
      ));
    }
    if (v128.any_true(m)) {
      let bits = i8x16.bitmask(m);
      while (bits != 0) {
        const q = p + <u32>ctz(bits);
        if (q >= limit) return finish(ctl, limit, count);
        count = verifyAt(data, len, q, pats, npat, out, count);
        if (count >= cap) return finish(ctl, q + 1, count);
        bits &= bits - 1;
      }
    }
    p += 16;
  }
  while (p < limit) {
    count = verifyAt(data, len, p, pats, npat, out, count);
    p++;
    if (count >= cap) return finish(ctl, p, count);
  }
  return finish(ctl, limit, count);
}

function verifyAt(data: usize, len: u32, p: u32, pats: usize, npat: u32, out: usize, count: u32): u32 {
  for (let t: u32 = 0; t < npat; t++) {
    const rec = pats + <usize>t * PATTERN_RECORD;
    const n = load<u32>(rec, 4);
    if (p + n <= len && memory.compare(data + p, <usize>load<u32>(rec), n) == 0) hit(out, count++, t, p);
  }
  return count;
}
