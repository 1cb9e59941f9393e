import type { PluginDefinition } from '../api.ts';

export const checkCreds: PluginDefinition = {
  name: 'linux.check_creds',
  description:
    'Lists cred structures that several processes share: a rootkit that gives a process root by pointing it at ' +
    'another’s credentials leaves two tasks on one cred (kernel threads share init_cred by design).',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'linux' }],
  columns: [
    { name: 'CredVAddr', type: 'hex', address: 'kernel' },
    { name: 'PIDs', type: 'str' },
  ],
  options: [],
  tree: false,
  async *run(ctx) {
    const linux = await ctx.linux();
    const holders = new Map<bigint, number[]>();
    for await (const t of linux.tasks()) {
      const cred = t.view.u64('cred');
      if (cred === 0n || (await linux.vm.translate(cred)) === null) continue;
      holders.set(cred, [...(holders.get(cred) ?? []), t.tid]);
    }
    for (const [cred, pids] of holders) if (pids.length > 1) yield { depth: 0, values: [cred, pids.join(', ')] };
  },
};
