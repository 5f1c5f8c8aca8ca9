import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type * as avro from 'avsc';
import type { WriterSchemaSource } from './writer-schemas';

/**
 * A Confluent Schema Registry (or any registry speaking its API) through @kafkajs/confluent-schema-registry:
 * writer schemas by id for consumers (fetched once each, kept), and registration for the one public topic
 * the recommender writes (rec.actions.v1, subject `<topic>-value`).
 */
export class RegistryWriterSchemas implements WriterSchemaSource {
  private readonly schemas = new Map<number, avro.Schema>();
  private readonly pending = new Map<number, Promise<avro.Schema>>();
  private readonly refused = new Map<number, Error>();

  constructor(readonly registry: SchemaRegistry) {}

  static connect(url: string): RegistryWriterSchemas {
    return new RegistryWriterSchemas(new SchemaRegistry({ host: url, clientId: 'rec' }));
  }

  cached(schemaId: number): avro.Schema | undefined {
    return this.schemas.get(schemaId);
  }

  failed(schemaId: number): Error | undefined {
    return this.refused.get(schemaId);
  }

  fetch(schemaId: number): Promise<avro.Schema> {
    let pending = this.pending.get(schemaId);
    if (pending === undefined) {
      pending = this.registry.getSchema(schemaId).then(
        (type) => {
          const schema = (type as unknown as avro.Type).schema() as avro.Schema;
          this.schemas.set(schemaId, schema);
          return schema;
        },
        (error: unknown) => {
          this.pending.delete(schemaId);
          // The registry answered that it has no such schema: final. Anything else (unreachable) is retried.
          const status = (error as { status?: number }).status;
          if (status !== undefined && status >= 400 && status < 500) this.refused.set(schemaId, error instanceof Error ? error : new Error(String(error)));
          throw error;
        },
      );
      this.pending.set(schemaId, pending);
    }
    return pending;
  }

  /** Registers `schema` under `subject` (or finds it there) and returns its id. */
  async register(subject: string, schema: avro.Schema): Promise<number> {
    const { id } = await this.registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject });
    this.schemas.set(id, schema);
    return id;
  }
}
