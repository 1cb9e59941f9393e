/** The kernel's VMCOREINFO text: `KEY=VALUE` lines written by crash_core for kdump tools. */
export class Vmcoreinfo {
  private constructor(
    readonly text: string,
    private readonly fields: ReadonlyMap<string, string>,
  ) {}

  /** Parses VMCOREINFO text; null unless it has the lines every x86-64 kernel since 4.x writes. */
  static parse(text: string): Vmcoreinfo | null {
    const fields = new Map<string, string>();
    for (const line of text.split('\n')) {
      const eq = line.indexOf('=');
      if (eq > 0 && !fields.has(line.slice(0, eq))) fields.set(line.slice(0, eq), line.slice(eq + 1));
    }
    const info = new Vmcoreinfo(text, fields);
    return info.get('OSRELEASE') && info.symbol('_stext') !== undefined ? info : null;
  }

  get(key: string): string | undefined {
    return this.fields.get(key);
  }

  /** SYMBOL(name): a run-time (already relocated) kernel virtual address. */
  symbol(name: string): bigint | undefined {
    return hexValue(this.fields.get(`SYMBOL(${name})`));
  }

  /** Every SYMBOL(name) with a valid address, in the text's order. */
  *symbols(): Generator<[string, bigint]> {
    for (const [key, value] of this.fields) {
      const name = /^SYMBOL\((.+)\)$/.exec(key)?.[1];
      const address = hexValue(value);
      if (name !== undefined && address !== undefined) yield [name, address];
    }
  }

  /** NUMBER(name): a signed decimal (phys_base is printed with %ld and may be negative). */
  number(name: string): bigint | undefined {
    const v = this.fields.get(`NUMBER(${name})`);
    return v !== undefined && /^-?\d{1,20}$/.test(v) ? BigInt(v) : undefined;
  }

  get osRelease(): string {
    return this.fields.get('OSRELEASE') ?? '';
  }

  /** KASLR slide of the kernel text (KERNELOFFSET, hex); 0 when the kernel did not record one. */
  get kernelOffset(): bigint {
    return hexValue(this.fields.get('KERNELOFFSET')) ?? 0n;
  }
}

function hexValue(v: string | undefined): bigint | undefined {
  return v !== undefined && /^[0-9a-fA-F]{1,16}$/.test(v) ? BigInt(`0x${v}`) : undefined;
}
