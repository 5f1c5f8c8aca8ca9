/**
 * A decoded Avro value as plain data: avsc decodes records into instances of generated classes, which
 * assert.deepStrictEqual tells apart from object literals. Buffers stay Buffers.
 */
export function plainRecord(value: unknown): unknown {
  if (Buffer.isBuffer(value) || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(plainRecord);
  return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, plainRecord(entry)]));
}
