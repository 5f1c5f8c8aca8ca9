import * as fs from 'node:fs';
import * as path from 'node:path';
import * as avro from 'avsc';
import { DecodeError } from '../errors/errors';

/** Where the .avsc files live: shared/schemas, next to dist/ and src/. */
export const SCHEMA_DIR = path.resolve(__dirname, '..', '..', 'schemas');

/**
 * Typed Avro binary encoding for one record type, compiled once. `decode` raises a non-retriable
 * DecodeError for bytes that are not valid Avro of this schema (truncated, trailing bytes, bad union
 * index, bad enum index...).
 */
export class AvroCodec<T> {
  readonly type: avro.Type;

  constructor(schema: avro.Schema) {
    this.type = avro.Type.forSchema(schema, { omitRecordMethods: true });
  }

  /** Loads `<SCHEMA_DIR>/<name>.avsc`. */
  static fromSchemaFile<T>(name: string): AvroCodec<T> {
    const file = path.join(SCHEMA_DIR, `${name}.avsc`);
    return new AvroCodec<T>(JSON.parse(fs.readFileSync(file, 'utf8')) as avro.Schema);
  }

  get name(): string {
    return this.type.name ?? 'anonymous';
  }

  encode(value: T): Buffer {
    return this.type.toBuffer(value);
  }

  decode(bytes: Buffer | null): T {
    return decodeWith<T>(this.type, bytes, this.name);
  }

  /**
   * A decoder for bytes written with an older (or newer) writer schema: fields the writer lacks take
   * their defaults, fields the reader lacks are skipped. Avro schema resolution, compiled once.
   */
  readerFor(writerSchema: avro.Schema): (bytes: Buffer | null) => T {
    const writerType = avro.Type.forSchema(writerSchema, { omitRecordMethods: true });
    const resolver = this.type.createResolver(writerType);
    return (bytes) => decodeWith<T>(this.type, bytes, this.name, resolver);
  }
}

function decodeWith<T>(type: avro.Type, bytes: Buffer | null, name: string, resolver?: avro.Resolver): T {
  if (bytes === null || bytes.length === 0) throw new DecodeError(`empty payload is not a valid ${name}`);
  let decoded: { value: unknown; offset: number };
  try {
    decoded = type.decode(bytes, 0, resolver);
  } catch (error) {
    throw new DecodeError(`not a valid ${name}: ${(error as Error).message}`, error);
  }
  // avsc signals truncation with offset -1; a shorter record than the buffer means trailing garbage.
  if (decoded.offset < 0) throw new DecodeError(`truncated ${name} (${bytes.length} bytes)`);
  if (decoded.offset !== bytes.length) {
    throw new DecodeError(`${bytes.length - decoded.offset} trailing bytes after a ${name}`);
  }
  return decoded.value as T;
}
