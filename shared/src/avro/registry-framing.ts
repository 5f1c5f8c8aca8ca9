/**
 * The Confluent Schema Registry wire format: a zero magic byte, the writer schema's registry id as a
 * 4-byte big-endian integer, then the Avro binary. A plain Avro value of a public record cannot start
 * with a zero byte (every public record starts with a non-empty id string, whose length varint is then
 * non-zero), so a consumer tells the two apart message by message.
 */
export const REGISTRY_MAGIC_BYTE = 0;
const HEADER_BYTES = 5;

/** True for bytes in the registry wire format. */
export function isRegistryFramed(bytes: Buffer): boolean {
  return bytes.length > HEADER_BYTES && bytes[0] === REGISTRY_MAGIC_BYTE;
}

export function registryFrame(schemaId: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt8(REGISTRY_MAGIC_BYTE, 0);
  header.writeInt32BE(schemaId, 1);
  return Buffer.concat([header, payload]);
}

export function registryUnframe(bytes: Buffer): { schemaId: number; payload: Buffer } {
  return { schemaId: bytes.readInt32BE(1), payload: bytes.subarray(HEADER_BYTES) };
}
