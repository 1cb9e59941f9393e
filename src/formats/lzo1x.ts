/**
 * LZO1X decompression (the format of lzo1x_1_compress, used by makedumpfile -l and kdump pages with flag 0x2),
 * following the kernel's lzo1x_decompress_safe: every read and copy is bounds-checked and the output is capped
 * at `maxOutput`, so damaged input throws instead of overrunning. No well-kept JavaScript LZO library exists.
 */
export function lzo1xDecompress(input: Uint8Array, maxOutput: number): Uint8Array {
  const out = new Uint8Array(maxOutput);
  let ip = 0;
  let op = 0;
  let state = 0;
  const fail = (why: string): never => {
    throw new Error(`LZO data ${why}`);
  };
  const byte = (): number => (ip < input.length ? input[ip++]! : fail('ends early'));
  const le16 = (): number => byte() | (byte() << 8);
  const literals = (n: number) => {
    if (ip + n > input.length) fail('ends inside a literal run');
    if (op + n > maxOutput) fail(`decompresses to more than ${maxOutput} bytes`);
    out.set(input.subarray(ip, ip + n), op);
    ip += n;
    op += n;
  };
  const match = (from: number, n: number) => {
    if (from < 0) fail('refers back before its start');
    if (op + n > maxOutput) fail(`decompresses to more than ${maxOutput} bytes`);
    for (let i = 0; i < n; i++) out[op++] = out[from + i]!;
  };
  /** Lengths above the field's range: each zero byte adds 255, then the next byte. */
  const extended = (base: number): number => {
    let zeros = 0;
    while (ip < input.length && input[ip] === 0) {
      ip++;
      if (++zeros > input.length) fail('has an endless length');
    }
    return zeros * 255 + base + byte();
  };

  let t = input.length > 0 ? input[0]! : fail('is empty');
  if (t > 17) {
    ip = 1;
    t -= 17;
    if (t < 4) {
      literals(t);
      state = t;
    } else {
      literals(t);
      state = 4;
    }
  }
  for (;;) {
    t = byte();
    let from: number;
    let length: number;
    let next: number;
    if (t < 16) {
      if (state === 0) {
        literals((t === 0 ? extended(15) : t) + 3);
        state = 4;
        continue;
      }
      next = t & 3;
      if (state !== 4) {
        match(op - 1 - (t >> 2) - (byte() << 2), 2);
        literals(next);
        state = next;
        continue;
      }
      from = op - (1 + 0x0800) - (t >> 2) - (byte() << 2);
      length = 3;
    } else if (t >= 64) {
      next = t & 3;
      from = op - 1 - ((t >> 2) & 7) - (byte() << 3);
      length = (t >> 5) + 1;
    } else if (t >= 32) {
      length = (t & 31) + 2;
      if (length === 2) length = extended(31) + 2;
      const d = le16();
      from = op - 1 - (d >> 2);
      next = d & 3;
    } else {
      const high = (t & 8) << 11;
      length = (t & 7) + 2;
      if (length === 2) length = extended(7) + 2;
      const d = le16();
      from = op - high - (d >> 2);
      next = d & 3;
      if (from === op) {
        if (length !== 3) fail('has a damaged end marker');
        return out.subarray(0, op);
      }
      from -= 0x4000;
    }
    match(from, length);
    literals(next);
    state = next;
  }
}
