// Types of build-id.mjs for the tests that import it.
export function computeBuildId(root: string): Promise<string>;
export function buildIdDefine(id: string): Record<string, string>;
