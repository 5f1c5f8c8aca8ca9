import * as fs from 'node:fs';
import * as path from 'node:path';
import * as avro from 'avsc';
import { DecodeError, TransientError } from '../errors/errors';
import { isRegistryFramed, registryUnframe } from './registry-framing';
import { writerSchemaSource } from './writer-schemas';

/** Where the .avsc files live: shared/schemas, next to dist/ and src/. */
export const SCHEMA_DIR = path.resolve(__dirname, '..', '..', 'schemas');

/**
 * Typed Avro binary encoding for one record type, compiled once. `decode` raises a non-retriable
 * DecodeError for bytes that are not valid Avro of this schema (truncated, trailing bytes, bad union
 * index, bad enum index...).
 */
export class AvroCodec<T> {
  readonly type: avro.Type;
  /** The .avsc this codec was compiled from (what a producer registers). */
  readonly schema: avro.Schema;
  /** Readers of registry-framed bytes, by the writer schema's registry id. */
  private readonly framedReaders = new Map<number, (bytes: Buffer | null) => T>();

  /**
   * `registryFraming`: also read the Confluent Schema Registry wire format (magic byte, schema id), told
   * apart per message (public topics only: their records can never start with a zero byte).
   */
  constructor(
    schema: avro.Schema,
    private readonly options: { registryFraming?: boolean } = {},
  ) {
    this.schema = schema;
    this.type = avro.Type.forSchema(schema, { omitRecordMethods: true });
  }

  /** Loads `<SCHEMA_DIR>/<name>.avsc`. */
  static fromSchemaFile<T>(name: string, options: { registryFraming?: boolean } = {}): AvroCodec<T> {
    const file = path.join(SCHEMA_DIR, `${name}.avsc`);
    return new AvroCodec<T>(JSON.parse(fs.readFileSync(file, 'utf8')) as avro.Schema, options);
  }

  get name(): string {
    return this.type.name ?? 'anonymous';
  }

  encode(value: T): Buffer {
    return this.type.toBuffer(value);
  }

  decode(bytes: Buffer | null): T {
    if (this.options.registryFraming === true && bytes !== null && isRegistryFramed(bytes)) {
      // A plain record whose first string is empty also starts with a zero byte: if the bytes are exactly
      // one plain record, they are that (invalid) record, and validation says why.
      try {
        return decodeWith<T>(this.type, bytes, this.name);
      } catch {
        return this.decodeFramed(bytes);
      }
    }
    return decodeWith<T>(this.type, bytes, this.name);
  }

  /**
   * A registry-framed value: resolved from its writer schema when a registry is configured (fetched once
   * per id; until it arrives the message is retried, never dead-lettered), else read with this schema.
   */
  private decodeFramed(bytes: Buffer): T {
    const { schemaId, payload } = registryUnframe(bytes);
    const known = this.framedReaders.get(schemaId);
    if (known !== undefined) return known(payload);
    const source = writerSchemaSource();
    if (source === null) return decodeWith<T>(this.type, payload, this.name);
    const refused = source.failed(schemaId);
    if (refused !== undefined) throw new DecodeError(`registry schema ${schemaId} of a framed ${this.name}: ${refused.message}`, refused);
    const writer = source.cached(schemaId);
    if (writer === undefined) {
      void source.fetch(schemaId).catch(() => undefined);
      throw new TransientError(`fetching writer schema ${schemaId} of a registry-framed ${this.name} from the schema registry`);
    }
    let reader: (bytes: Buffer | null) => T;
    try {
      reader = this.readerFor(writer);
    } catch (error) {
      throw new DecodeError(`registry schema ${schemaId} cannot be read as a ${this.name}: ${(error as Error).message}`, error);
    }
    this.framedReaders.set(schemaId, reader);
    return reader(payload);
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
