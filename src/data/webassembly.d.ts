// The part of the WebAssembly JS API the CSV engine uses. TypeScript declares it only in the DOM library, which
// Flowbench (Node and the extension host) does not load; Node 20 implements all of it.
declare namespace WebAssembly {
  class Module {
    constructor(bytes: BufferSource);
  }
  class Instance {
    constructor(module: Module, imports?: Record<string, unknown>);
    readonly exports: Record<string, unknown>;
  }
  class Memory {
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
}
type BufferSource = ArrayBufferView | ArrayBuffer;
