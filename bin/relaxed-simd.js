// Node 20's V8 (11.3) has WebAssembly relaxed SIMD behind a flag; V8 11.4 shipped it (Node 22, Electron, Chromium).
// The CPU kernels load their fused multiply-add builds where they validate, else the plain ones
// (engine/backends/wasm/heap.ts). Imported first by the command-line entries and the test setup, so the flag is set
// before this process compiles any WebAssembly.
import v8 from 'node:v8';

const [major = 0, minor = 0] = process.versions.v8.split('.').map(Number);
if (major < 11 || (major === 11 && minor < 4)) v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
