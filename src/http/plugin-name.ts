/**
 * Names a fastify plugin before it is registered. fastify looks for an unnamed
 * plugin's name by scanning every module in `require.cache` — several
 * milliseconds per plugin in a process that has loaded a test suite, paid by
 * every server start (startWxLogistics starts one per test file or more).
 */
const DISPLAY_NAME = Symbol.for('fastify.display-name');

export function named<T extends object>(name: string, plugin: T): T {
  Object.defineProperty(plugin, DISPLAY_NAME, { value: name });
  return plugin;
}
