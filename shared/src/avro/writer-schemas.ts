import type * as avro from 'avsc';

/**
 * Where a consumer finds the writer schema of a registry-framed message, by registry id. `cached` answers
 * at once from memory; `fetch` asks the registry. The process installs one (a Schema Registry client) when
 * SCHEMA_REGISTRY_URL is set; without one, framed messages are read with the reader's own schema.
 */
export interface WriterSchemaSource {
  cached(schemaId: number): avro.Schema | undefined;
  /** Why the registry has no such schema (it answered 4xx), once it said so; such messages are dead letters. */
  failed(schemaId: number): Error | undefined;
  fetch(schemaId: number): Promise<avro.Schema>;
}

let source: WriterSchemaSource | null = null;

/** Installs the process's writer-schema source (null: none). */
export function useWriterSchemaSource(next: WriterSchemaSource | null): void {
  source = next;
}

export function writerSchemaSource(): WriterSchemaSource | null {
  return source;
}
