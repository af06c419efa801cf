// The name the front ends knew the core by: electron/core is the one implementation; this file only re-exports it.
export { createCore as createService, CoreError as ServiceError, toError, unwrap, EventHub, type Core as Service, type CoreDeps as ServiceDeps } from './core/index';
