import { modulePlugin } from './module-columns.ts';

export const modules = modulePlugin('windows.modules', 'Lists the loaded kernel modules (PsLoadedModuleList).', (kernel) => kernel.kernelModules());
