import { crc32 } from 'node:zlib';

/** A Float32Array as little-endian bytes, sharing memory where the platform is little-endian. */
export function floatsToBytes(values: Float32Array): Buffer {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
}

/** Little-endian float32 bytes as a Float32Array (copied, so it is aligned and independent). */
export function bytesToFloats(bytes: Buffer): Float32Array {
  if (bytes.byteLength % 4 !== 0) throw new RangeError(`float32 payload of ${bytes.byteLength} bytes is not a multiple of 4`);
  const copy = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(copy.buffer).set(bytes);
  return copy;
}

/** CRC-32 of a payload, as carried in weights and update records. */
export function checksumOf(bytes: Buffer): number {
  return crc32(bytes);
}

/** True when every value is a finite number (no NaN, no Infinity). */
export function allFinite(values: Float32Array): boolean {
  for (let index = 0; index < values.length; index += 1) if (!Number.isFinite(values[index])) return false;
  return true;
}
