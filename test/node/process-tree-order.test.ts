import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { treeOrder, type TreeProcess } from '../../src/plugins/common/process-tree-order.ts';

interface Proc extends TreeProcess {
  readonly name?: string;
}

const all = () => true;
const only =
  (...pids: number[]) =>
  (p: Proc) =>
    pids.includes(p.pid);
/** [pid, depth] per emitted process. */
const tree = (processes: Proc[], wanted: (p: Proc) => boolean = all) =>
  [...treeOrder(processes, wanted)].map(({ process, depth }) => [process.pid, depth]);
/** 1 ← 2 ← … ← n, listed deepest first so the order cannot come from the input. */
const chain = (n: number): Proc[] => Array.from({ length: n }, (_, i) => ({ pid: n - i, ppid: n - i - 1 }));
const chainTree = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => [from + i, from + i - 1]);

describe('treeOrder', () => {
  it('lists pre-order from the roots in input order, children by ascending PID, with depths', () => {
    const processes: Proc[] = [
      { pid: 900, ppid: 77 }, // orphan: its parent exited
      { pid: 4, ppid: 0 },
      { pid: 0, ppid: 0 }, // Idle: its own parent
      { pid: 300, ppid: 4 },
      { pid: 100, ppid: 4 },
      { pid: 101, ppid: 100 },
    ];
    assert.deepEqual(tree(processes), [
      [900, 0],
      [0, 0],
      [4, 1],
      [100, 2],
      [101, 3],
      [300, 2],
    ]);
  });

  it('uses the first process per PID', () => {
    const processes: Proc[] = [
      { pid: 1, ppid: 0, name: 'first' },
      { pid: 2, ppid: 1 },
      { pid: 1, ppid: 2, name: 'smeared copy' },
    ];
    const out = [...treeOrder(processes, all)];
    assert.deepEqual(
      out.map(({ process, depth }) => [process.pid, process.name, depth]),
      [
        [1, 'first', 0],
        [2, undefined, 1],
      ],
    );
  });

  it('with a filter: shows a subtree when any process in it passes, and everything below a passing process', () => {
    const processes: Proc[] = [
      { pid: 1, ppid: 0 },
      { pid: 2, ppid: 1 },
      { pid: 3, ppid: 2 },
      { pid: 4, ppid: 3 },
      { pid: 5, ppid: 1 }, // sibling branch without a match
      { pid: 6, ppid: 2 }, // sibling of the match
      { pid: 50, ppid: 0 }, // another root without a match
    ];
    assert.deepEqual(tree(processes, only(3)), [
      [1, 0],
      [2, 1],
      [3, 2],
      [4, 3],
    ]);
    assert.deepEqual(tree(processes, only(2)), [
      [1, 0],
      [2, 1],
      [3, 2],
      [4, 3],
      [6, 2],
    ]);
    assert.deepEqual(tree(processes, only(4, 50)), [
      [1, 0],
      [2, 1],
      [3, 2],
      [4, 3],
      [50, 0],
    ]);
    assert.deepEqual(tree(processes, only(99)), []);
  });

  it('walks a 100,000-deep parent chain without recursion: in order, with depths', () => {
    const processes = chain(100_000);
    assert.deepEqual(tree(processes), chainTree(1, 100_000));
  });

  it('filters a 100,000-deep chain: every ancestor of the match and everything below it', () => {
    const processes = [...chain(100_000), { pid: 100_001, ppid: 10 }]; // a side branch off the chain
    assert.deepEqual(tree(processes, only(100_000)), chainTree(1, 100_000));
    assert.deepEqual(tree(processes, only(50_000)), chainTree(1, 100_000));
    assert.deepEqual(tree(processes, only(100_001)), [...chainTree(1, 10), [100_001, 10]]);
    assert.deepEqual(tree(processes, only(5)), [...chainTree(1, 100_000), [100_001, 10]]);
  });

  it('orders 65,536 siblings by PID', () => {
    const siblings = Array.from({ length: 65_536 }, (_, i) => ({ pid: 65_537 - i, ppid: 1 }));
    const processes = [{ pid: 1, ppid: 0 }, ...siblings];
    assert.deepEqual(tree(processes), [[1, 0], ...Array.from({ length: 65_536 }, (_, i) => [i + 2, 1])]);
    assert.deepEqual(tree(processes, only(40_000)), [
      [1, 0],
      [40_000, 1],
    ]);
  });

  describe('PPID cycles', () => {
    it('emits a cycle with no root once, rooted at its lowest PID', () => {
      assert.deepEqual(
        tree([
          { pid: 6, ppid: 5 },
          { pid: 5, ppid: 6 },
        ]),
        [
          [5, 0],
          [6, 1],
        ],
      );
    });

    it('puts what hangs below a cycle under it, after the rooted trees, cycles in the order first listed', () => {
      const processes: Proc[] = [
        { pid: 3, ppid: 7 }, // below the cycle, listed first
        { pid: 7, ppid: 6 },
        { pid: 20, ppid: 21 }, // a second cycle 20 ↔ 21
        { pid: 6, ppid: 5 },
        { pid: 1, ppid: 0 }, // a real root, listed late
        { pid: 5, ppid: 6 },
        { pid: 21, ppid: 20 },
        { pid: 2, ppid: 1 },
      ];
      assert.deepEqual(tree(processes), [
        [1, 0],
        [2, 1],
        [5, 0],
        [6, 1],
        [7, 2],
        [3, 3],
        [20, 0],
        [21, 1],
      ]);
    });

    it('filters inside a cycle as in any tree', () => {
      const processes: Proc[] = [
        { pid: 5, ppid: 7 },
        { pid: 6, ppid: 5 },
        { pid: 7, ppid: 6 },
        { pid: 8, ppid: 6 },
        { pid: 9, ppid: 5 },
      ];
      assert.deepEqual(tree(processes, only(8)), [
        [5, 0],
        [6, 1],
        [8, 2],
      ]);
      assert.deepEqual(tree(processes, only(6)), [
        [5, 0],
        [6, 1],
        [7, 2],
        [8, 2],
      ]);
      assert.deepEqual(tree(processes, only(5)), [
        [5, 0],
        [6, 1],
        [7, 2],
        [8, 2],
        [9, 1],
      ]);
    });

    it('breaks a 100,000-long cycle at its lowest PID', () => {
      // 1 ← 2 ← … ← 100000 ← 1, listed from the middle.
      const processes = chain(100_000).map((p) => (p.pid === 1 ? { pid: 1, ppid: 100_000 } : p));
      const listed = [...processes.slice(50_000), ...processes.slice(0, 50_000)];
      assert.deepEqual(tree(listed), chainTree(1, 100_000));
      assert.deepEqual(tree(listed, only(100_000)), chainTree(1, 100_000));
    });
  });

  it('stops when aborted', () => {
    const abort = new AbortController();
    const rows = treeOrder(chain(10), all, abort.signal);
    assert.equal(rows.next().value?.process.pid, 1);
    abort.abort();
    assert.throws(() => rows.next(), { name: 'AbortError' });
  });
});
