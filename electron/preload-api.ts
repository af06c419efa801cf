// The API object the renderer sees, whichever bridge it has: one method per contract command, grouped by
// namespace (api.runs.start(payload)), and one subscribe function per event (api.on['run.metrics'](listener)),
// each returning its unsubscribe. Channel names are fixed here, never taken from the page.
// No zod and no Node here: the sandboxed preload and the browser bundle both build the API with buildApi().

import type { CommandInput, CommandName, CommandResult, EventName, EventPayload, Result } from './contract';

/** Every command name, as a runtime list (checked against the contract below and in a test). */
export const COMMAND_NAMES = [
  'app.info',
  'runs.start',
  'runs.pause',
  'runs.resume',
  'runs.step',
  'runs.stop',
  'runs.watch',
  'runs.list',
  'runs.get',
  'runs.curves',
  'runs.diff',
  'runs.interpolate',
  'runs.landscape',
  'runs.distributions',
  'runs.rename',
  'runs.tag',
  'runs.note',
  'runs.delete',
  'runs.export',
  'runs.importWeights',
  'runs.import',
  'data.preview',
  'data.parseCsv',
  'net.inspect',
  'net.gradCheck',
  'sweeps.start',
  'sweeps.get',
  'sweeps.list',
  'sweeps.stop',
  'sweeps.delete',
] as const satisfies readonly CommandName[];

export const EVENT_LIST = ['run.metrics', 'run.status', 'run.snapshot', 'runs.changed', 'sweep.progress'] as const satisfies readonly EventName[];

// Compile-time: a command or event added to the contract but not listed here fails the typecheck.
type MissingCommand = Exclude<CommandName, (typeof COMMAND_NAMES)[number]>;
type MissingEvent = Exclude<EventName, (typeof EVENT_LIST)[number]>;
const allCommandsListed: [MissingCommand] extends [never] ? true : MissingCommand = true;
const allEventsListed: [MissingEvent] extends [never] ? true : MissingEvent = true;
void allCommandsListed;
void allEventsListed;

/** The Electron IPC channel of a command (ipcMain.handle / ipcRenderer.invoke). */
export const commandChannel = (name: CommandName): string => `bpl:cmd:${name}`;
/** The Electron IPC channel of an event (webContents.send / ipcRenderer.on). */
export const eventChannel = (name: EventName): string => `bpl:evt:${name}`;

type Namespace<C extends string> = C extends `${infer N}.${string}` ? N : never;
/** A command's method: takes its payload, resolves to its Result (never rejects for a command error). */
export type CommandMethod<C extends CommandName> = (payload: CommandInput<C>) => Promise<Result<CommandResult<C>>>;
export type Unsubscribe = () => void;

/** The typed API: `api.runs.start({ config })`, `api.on['run.metrics'](batch => …)`. */
export type BackpropLabApi = {
  readonly [N in Namespace<CommandName>]: {
    readonly [C in CommandName as C extends `${N}.${infer M}` ? M : never]: CommandMethod<C>;
  };
} & {
  readonly on: { readonly [E in EventName]: (listener: (payload: EventPayload<E>) => void) => Unsubscribe };
};

/** What the preload additionally shows about the desktop runtime (absent in browser mode). */
export interface DesktopInfo {
  readonly version: string;
  readonly runtime: { readonly electron: string; readonly chrome: string; readonly node: string };
}

/** window.backpropLab in the desktop app. */
export type DesktopApi = BackpropLabApi & { readonly desktop: DesktopInfo };

/**
 * Builds the API over a bridge: `invoke` sends one command and resolves to its Result; `subscribe` listens to one
 * event and returns the unsubscribe. A bridge that throws (a closed socket) is turned into an error Result here.
 */
export function buildApi(
  invoke: (command: CommandName, payload: unknown) => Promise<Result<unknown>>,
  subscribe: (event: EventName, listener: (payload: unknown) => void) => Unsubscribe,
): BackpropLabApi {
  const api: Record<string, Record<string, unknown>> = {};
  for (const name of COMMAND_NAMES) {
    const [ns, method] = name.split('.') as [string, string];
    api[ns] ??= {};
    api[ns][method] = async (payload: unknown) => {
      try {
        return await invoke(name, payload ?? {});
      } catch (e) {
        return { ok: false, error: { code: 'internal', message: `the ${name} request did not reach the host: ${(e as Error)?.message ?? String(e)}` } };
      }
    };
  }
  for (const ns of Object.values(api)) Object.freeze(ns);
  const on: Record<string, unknown> = {};
  for (const event of EVENT_LIST) on[event] = (listener: (payload: unknown) => void) => subscribe(event, listener);
  api['on'] = Object.freeze(on);
  return Object.freeze(api) as unknown as BackpropLabApi;
}
