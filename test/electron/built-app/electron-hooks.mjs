// Node module-customisation hook (module.register): the bare specifier `electron` resolves to the recording
// stand-in beside this file. Nothing else is redirected.
const STAND_IN = new URL('./electron-stand-in.mjs', import.meta.url).href;

export async function resolve(specifier, context, next) {
  if (specifier === 'electron') return { url: STAND_IN, shortCircuit: true };
  return next(specifier, context);
}
