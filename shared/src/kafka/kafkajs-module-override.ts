import Module from 'node:module';

/**
 * Puts `exports` in Node's module cache under the path of kafkajs's own file `request` (e.g.
 * 'kafkajs/src/producer/sendMessages'), so that kafkajs requires it instead of its file. `requiredBy` is
 * the kafkajs module that requires `request`: once that is loaded it is too late, and nothing changes.
 * Returns whether kafkajs uses `exports`.
 */
export function overrideKafkajsModule(request: string, requiredBy: string, exports: unknown): boolean {
  const target = require.resolve(request);
  const cached = require.cache[target];
  if (cached !== undefined) return cached.exports === exports;
  if (require.cache[require.resolve(requiredBy)] !== undefined) return false;
  const replacement = new Module(target, module);
  replacement.filename = target;
  replacement.loaded = true;
  replacement.exports = exports;
  require.cache[target] = replacement;
  return true;
}
