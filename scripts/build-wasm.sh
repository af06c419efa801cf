#!/usr/bin/env bash
# Rebuilds the CPU backends' WebAssembly SIMD kernels, embedded as base64 in generated TypeScript. From each source,
# a build whose gemms add every term with a fused multiply-add (relaxed SIMD) and one with separate multiplies and
# adds, each for one thread and for shared memory:
#   engine/backends/wasm/kernels.c     → kernels-fma-wasm.ts, kernels-fma-mt-wasm.ts          (float64, fused)
#                                      → kernels-wasm.ts, kernels-mt-wasm.ts                  (float64, separate)
#   engine/backends/wasm/kernels-f32.c → kernels-f32-fma-wasm.ts, kernels-f32-fma-mt-wasm.ts  (float32, fused)
#                                      → kernels-f32-wasm.ts, kernels-f32-mt-wasm.ts          (float32, separate)
# The one-thread builds serve cpu.ts and cpu-f32.ts, the shared-memory ones parallel.ts. The engine loads the fused
# builds where the WebAssembly engine has relaxed SIMD (wasm/heap.ts) and the separate ones elsewhere. The generated
# files are committed, so only whoever edits a .c file needs this.
#
# Needs clang ≥ 16 (its wasm32 target and relaxed-SIMD intrinsics), wasm-ld (lld) and llvm-objdump (llvm), all of one
# version — on Debian 12 `apt-get install clang-19 lld-19 llvm-19` (its plain `clang` is 14, too old); no libc, no
# emscripten. The script takes the newest clang-NN it finds, or CLANG, WASM_LD and OBJDUMP as given. The one-thread
# command:
#   clang --target=wasm32 -O3 -mllvm -disable-lsr -msimd128 -ffreestanding -nostdlib \
#     -Wl,--no-entry -Wl,--import-memory -Wl,--export=__heap_base -Wl,--strip-all -o kernels.wasm kernels.c
# -msimd128: f64x2 / f32x4 SIMD; no -ffast-math, so floating point keeps IEEE order and rounding. The fused builds
# add -mrelaxed-simd -DKERNELS_FMA: the gemms' multiply-adds become relaxed_madd, one instruction (an FMA where the
# processor has one) instead of two.
# -mllvm -disable-lsr: LLVM's loop strength reduction rewrote the gemm micro-kernels' addresses as base + index +
# constant, and a wasm load can take the constant into its offset only from an add known not to wrap, so every load
# paid an add of its own in the engine's machine code (11 adds a k step instead of 3). Without it, float32 seed gemms
# NN/TN ran 12–15 % faster, NT 5 %, whole one-thread seed steps ~10 % (2026-12-02, interleaved A/B); the bits are
# the same (only address arithmetic changes).
# --import-memory: the JS side creates the WebAssembly.Memory and allocates tensors in it above __heap_base.
# The shared-memory builds add -matomics -mbulk-memory -DKERNELS_MT (kernels.c's *_mt exports; kernels-f32.c always
# has them) and --shared-memory --max-memory=2 GiB; every thread
# instantiates the module on the same memory. The kernels must not use the C stack (threads would share it):
# this script refuses a build whose code touches __stack_pointer.
# KERNEL_DEFS="-DNN_R=4 -DNB=128 …" overrides the blocking (for tuning; see the top of each .c file).
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=engine/backends/wasm
if [ -z "${CLANG:-}" ]; then
  CLANG=clang
  for v in 22 21 20 19 18 17 16; do
    if command -v "clang-$v" >/dev/null 2>&1; then CLANG=clang-$v; break; fi
  done
fi
SUFFIX=${CLANG#clang}
WASM_LD=${WASM_LD:-wasm-ld$SUFFIX}
OBJDUMP=${OBJDUMP:-llvm-objdump$SUFFIX}
for tool in "$CLANG" "$WASM_LD" "$OBJDUMP"; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "build-wasm: $tool not found; install clang, lld and llvm ≥ 16 (Debian 12: apt-get install clang-19 lld-19 llvm-19), or set CLANG, WASM_LD, OBJDUMP" >&2
    exit 1
  fi
done
MAJOR=$("$CLANG" --version | sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -1)
if [ -z "$MAJOR" ] || [ "$MAJOR" -lt 16 ]; then
  echo "build-wasm: $CLANG is version ${MAJOR:-unknown}; the fused kernels need clang ≥ 16 (Debian 12: apt-get install clang-19 lld-19 llvm-19)" >&2
  exit 1
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# build SRC OUT CONST THREADS(0|1) FUSED(0|1)
build() {
  local src=$1 out=$2 const=$3 mt=$4 fused=$5
  local base
  base=$(basename "$out" .ts)
  local cflags=(--target=wasm32 -O3 -mllvm -disable-lsr ${KERNEL_DEFS:-} -msimd128 -ffreestanding -nostdlib)
  if [ "$fused" = 1 ]; then cflags+=(-mrelaxed-simd -DKERNELS_FMA); fi
  local lflags=(--no-entry --import-memory --export=__heap_base --strip-all)
  if [ "$mt" = 1 ]; then
    cflags+=(-matomics -mbulk-memory -DKERNELS_MT)
    lflags+=(--shared-memory --max-memory=2147483648)
  fi
  "$CLANG" "${cflags[@]}" -c -o "$TMP/$base.o" "$src"
  if [ "$mt" = 1 ]; then
    # the stack check must run: a listing that fails is an error, not a pass. It reads the relocations (-r): newer
    # disassemblers print a global.get of the stack pointer by index, not by name
    "$OBJDUMP" -d -r "$TMP/$base.o" > "$TMP/$base.dis"
    if ! grep -q 'R_WASM_' "$TMP/$base.dis"; then
      echo "build-wasm: $OBJDUMP -d -r listed no relocations for $base.o, so the stack check cannot run" >&2
      exit 1
    fi
    if grep -q __stack_pointer "$TMP/$base.dis"; then
      echo "build-wasm: $src uses the C stack, which the threads of the shared-memory build would share; keep its arrays in registers" >&2
      exit 1
    fi
  fi
  "$WASM_LD" "${lflags[@]}" -o "$TMP/$base.wasm" "$TMP/$base.o"
  local b64 size sha
  b64=$(base64 -w0 "$TMP/$base.wasm")
  size=$(stat -c %s "$TMP/$base.wasm")
  # the hash covers the source and the headers both sources include (every .h beside them, in byte order of names)
  sha=$(cat "$src" $(LC_ALL=C ls "$DIR"/*.h) | sha256sum | cut -c1-16)
  {
    echo "// GENERATED by scripts/build-wasm.sh from $(basename "$src") (sha256 ${sha}…)$([ "$mt" = 1 ] && echo ', shared memory')$([ "$fused" = 1 ] && echo ', fused multiply-add'); do not edit. $("$CLANG" --version | head -1)."
    echo "// The module is embedded as base64 so it loads the same way in Node, workers and browsers (no fs, no fetch)."
    echo ""
    echo "/** $base.wasm, ${size} bytes. */"
    echo "export const ${const} ="
    echo "  '${b64}';"
  } > "$out"
  echo "wrote $out (${size} bytes of wasm)"
}

build $DIR/kernels.c $DIR/kernels-fma-wasm.ts KERNELS_FMA_WASM_BASE64 0 1
build $DIR/kernels.c $DIR/kernels-fma-mt-wasm.ts KERNELS_FMA_MT_WASM_BASE64 1 1
build $DIR/kernels.c $DIR/kernels-wasm.ts KERNELS_WASM_BASE64 0 0
build $DIR/kernels.c $DIR/kernels-mt-wasm.ts KERNELS_MT_WASM_BASE64 1 0
build $DIR/kernels-f32.c $DIR/kernels-f32-fma-wasm.ts KERNELS_F32_FMA_WASM_BASE64 0 1
build $DIR/kernels-f32.c $DIR/kernels-f32-fma-mt-wasm.ts KERNELS_F32_FMA_MT_WASM_BASE64 1 1
build $DIR/kernels-f32.c $DIR/kernels-f32-wasm.ts KERNELS_F32_WASM_BASE64 0 0
build $DIR/kernels-f32.c $DIR/kernels-f32-mt-wasm.ts KERNELS_F32_MT_WASM_BASE64 1 0
