/** Network results sort by address value: IPv4 numerically, then IPv6 (any valid text form) by value. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ipv6 } from '../../src/os/inet-address.ts';
import { ipValue } from '../../src/ui/address-order.ts';
import { compareCells } from '../../src/ui/table-model.ts';

describe('address order', () => {
  it('gives IPv4 and IPv6 addresses their values; other text none', () => {
    assert.equal(ipValue('10.0.0.9'), 0x0a000009n);
    assert.equal(ipValue('255.255.255.255'), 0xffffffffn);
    assert.equal(ipValue('::1'), (1n << 32n) + 1n);
    assert.equal(ipValue('::ffff:10.0.0.1'), (1n << 32n) + 0xffff0a000001n);
    assert.equal(ipValue('fe80::1'), (1n << 32n) + (0xfe80n << 112n) + 1n);
    for (const text of ['256.0.0.1', '1.2.3', 'svchost.exe', '1::2::3', 'abc', '1:2:3:4:5:6:7:8:9', '', '*'])
      assert.equal(ipValue(text), undefined, text);
  });

  it('reads every RFC 5952 address the analyzer writes back to its bytes', () => {
    const bytes = new Uint8Array(16);
    for (let seed = 1; seed < 300; seed++) {
      for (let i = 0; i < 16; i++) bytes[i] = (seed * (i + 7) * 2654435761) % 7 === 0 ? 0 : (seed * 31 + i * 17) & 0xff;
      const value = bytes.reduce((v, b) => (v << 8n) | BigInt(b), 0n);
      assert.equal(ipValue(ipv6(bytes)), (1n << 32n) + value, ipv6(bytes));
    }
  });

  it('sorts a text column of addresses by value', () => {
    const sorted = ['10.0.0.10', 'fe80::1', '10.0.0.9', '::1', '192.168.1.1', '2001:db8::5'].sort(compareCells('str'));
    assert.deepEqual(sorted, ['10.0.0.9', '10.0.0.10', '192.168.1.1', '::1', '2001:db8::5', 'fe80::1']);
    assert.deepEqual(['b', 'A', 'c'].sort(compareCells('str')), ['A', 'b', 'c'], 'other text as before');
  });
});
