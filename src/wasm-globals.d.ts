// WebAssembly as memscope uses it (page-table walks and scans, build/memscope.wasm). Browsers, workers and Node all
// provide the global, but only TypeScript's DOM library declares it — Node's typings do not — so the engine
// (tsconfig.engine.json) and the Node code (tsconfig.node.json) take it from here; the browser and test configs,
// which have the DOM library, use its declarations instead.
declare namespace WebAssembly {
  // Opaque, as in the DOM library: compiled code, passed between workers and instantiated.
  interface Module {}
  var Module: {
    prototype: Module;
    new (bytes: ArrayBufferView<ArrayBuffer> | ArrayBuffer): Module;
  };
  interface Instance {
    readonly exports: Record<string, unknown>;
  }
  interface Memory {
    readonly buffer: ArrayBuffer;
    grow(delta: number): number;
  }
  interface WebAssemblyInstantiatedSource {
    instance: Instance;
    module: Module;
  }
  function instantiate(bytes: ArrayBufferView<ArrayBuffer> | ArrayBuffer, imports?: object): Promise<WebAssemblyInstantiatedSource>;
  function instantiate(module: Module, imports?: object): Promise<Instance>;
}
