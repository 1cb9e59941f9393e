/**
 * A plugin's options that cannot be run as given: a request error (BAD_REQUEST; the CLI's exit status 2) with the
 * engine's error shape (src/errors.ts isMemscopeError), without importing the engine into a plugin.
 */
export class PluginRequestError extends Error {
  override readonly name = 'MemscopeError';
  readonly code = 'BAD_REQUEST';
}
