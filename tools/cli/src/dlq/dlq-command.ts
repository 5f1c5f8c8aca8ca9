import { parseArgs } from 'node:util';
import { DLQ_HEADERS, REDRIVEN_FROM_HEADER, codecs, dlqTopic, type AvroCodec } from '@rec/shared';
import type { Command, CommandIo } from '../command';
import { connect, type Connections } from '../connections';
import { readTopic, type ReadMessage } from '../kafka/read-topic';

const USAGE = `usage: rec dlq inspect <topic> [--reason <r>] [--limit 20] [--json]
       rec dlq redrive <topic> [--reason <r>] [--dry-run]

<topic> is the source topic (rec.requests.v1, rec.feedback.v1, ...; TOPIC_PREFIX is added when missing);
its dead letters are in <topic>.dlq, each with its original key, bytes and headers plus why it failed.
  inspect   lists them (the newest --limit), decoded where they still decode
  redrive   publishes them again to the topic they came from, with their original key, value and headers
            (once fixed upstream, or after a bug fix in a service). Redriven letters are remembered in the
            consumer group <prefix>rec-cli-redrive, so a second redrive sends only newer ones.`;

/** Decoders of the public topics, to show a dead letter's content where it still decodes. */
function decoderFor(connections: Connections, topic: string): AvroCodec<unknown> | null {
  const { topics } = connections;
  const byTopic: Record<string, AvroCodec<unknown>> = {
    [topics.requests]: codecs.request as AvroCodec<unknown>,
    [topics.actions]: codecs.action as AvroCodec<unknown>,
    [topics.feedback]: codecs.feedback as AvroCodec<unknown>,
    [topics.catalog]: codecs.catalogItem as AvroCodec<unknown>,
  };
  return byTopic[topic] ?? null;
}

const header = (read: ReadMessage, name: string) => read.message.headers?.[name]?.toString() ?? null;

function describe(connections: Connections, read: ReadMessage) {
  const source = header(read, DLQ_HEADERS.sourceTopic);
  const value = read.message.value;
  let decoded: unknown = null;
  const decoder = source === null ? null : decoderFor(connections, source);
  if (decoder !== null && value !== null) {
    try {
      decoded = decoder.decode(value);
    } catch {
      decoded = null;
    }
  }
  return {
    partition: read.partition,
    offset: read.offset,
    key: read.message.key?.toString() ?? null,
    reason: header(read, DLQ_HEADERS.reason),
    error: header(read, DLQ_HEADERS.error),
    source: { topic: source, partition: header(read, DLQ_HEADERS.sourcePartition), offset: header(read, DLQ_HEADERS.sourceOffset) },
    service: header(read, DLQ_HEADERS.service),
    failedAt: header(read, DLQ_HEADERS.failedAt),
    bytes: value?.length ?? 0,
    decoded,
  };
}

function sourceTopicOf(connections: Connections, name: string): string {
  const bare = name.endsWith('.dlq') ? name.slice(0, -'.dlq'.length) : name;
  return bare.startsWith(connections.config.topicPrefix) ? bare : `${connections.config.topicPrefix}${bare}`;
}

async function inspect(connections: Connections, topic: string, options: { reason?: string; limit: number; json: boolean }, io: CommandIo): Promise<number> {
  const letters = (await readTopic(connections.kafka, dlqTopic(topic), { groupPrefix: connections.config.topicPrefix }))
    .map((read) => describe(connections, read))
    .filter((letter) => options.reason === undefined || letter.reason === options.reason);
  const shown = letters.slice(-options.limit);
  if (options.json) {
    io.out(JSON.stringify({ topic: dlqTopic(topic), total: letters.length, letters: shown }, null, 2));
    return 0;
  }
  io.out(`${dlqTopic(topic)}: ${letters.length} dead letters${options.reason === undefined ? '' : ` with reason ${options.reason}`}; the newest ${shown.length}:`);
  for (const letter of shown) {
    const when = letter.failedAt === null ? '' : new Date(Number(letter.failedAt)).toISOString();
    io.out(`  ${letter.partition}:${letter.offset}  ${when}  ${letter.reason}  from ${letter.source.topic}@${letter.source.partition}:${letter.source.offset} by ${letter.service}  key ${letter.key}`);
    io.out(`      ${letter.error}`);
    io.out(`      ${letter.decoded === null ? `${letter.bytes} bytes that do not decode` : JSON.stringify(letter.decoded)}`);
  }
  return 0;
}

async function redrive(connections: Connections, topic: string, options: { reason?: string; dryRun: boolean }, io: CommandIo): Promise<number> {
  const dlq = dlqTopic(topic);
  const groupId = `${connections.config.topicPrefix}rec-cli-redrive`;
  const admin = connections.kafka.admin();
  await admin.connect();
  try {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [dlq] });
    const from = new Map(committed.partitions.filter((entry) => Number(entry.offset) >= 0).map((entry) => [entry.partition, Number(entry.offset)]));
    const letters = await readTopic(connections.kafka, dlq, { groupPrefix: connections.config.topicPrefix, from });
    const chosen = letters.filter((read) => options.reason === undefined || header(read, DLQ_HEADERS.reason) === options.reason);
    const dlqHeaderNames = new Set<string>(Object.values(DLQ_HEADERS));
    const bySource = new Map<string, Array<{ key: Buffer | null; value: Buffer | null; headers: Record<string, Buffer> }>>();
    for (const read of chosen) {
      const source = header(read, DLQ_HEADERS.sourceTopic) ?? topic;
      const headers: Record<string, Buffer> = {};
      for (const [name, value] of Object.entries(read.message.headers ?? {})) {
        if (!dlqHeaderNames.has(name) && Buffer.isBuffer(value)) headers[name] = value;
      }
      headers[REDRIVEN_FROM_HEADER] = Buffer.from(`${dlq}@${read.partition}:${read.offset}`);
      bySource.set(source, [...(bySource.get(source) ?? []), { key: read.message.key, value: read.message.value, headers }]);
    }
    if (options.dryRun) {
      io.out(`rec dlq redrive: would send ${chosen.length} of ${letters.length} new dead letters of ${dlq} back (${[...bySource].map(([source, messages]) => `${messages.length} to ${source}`).join(', ') || 'none'})`);
      return 0;
    }
    if (chosen.length > 0) {
      const producer = connections.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      try {
        for (const [source, messages] of bySource) await producer.send({ topic: source, acks: -1, messages });
      } finally {
        await producer.disconnect();
      }
    }
    // Remember how far this redrive went (also past letters skipped by --reason: they stay in the DLQ).
    const ends = new Map<number, number>();
    for (const read of letters) ends.set(read.partition, Math.max(ends.get(read.partition) ?? 0, Number(read.offset) + 1));
    if (ends.size > 0) await admin.setOffsets({ groupId, topic: dlq, partitions: [...ends].map(([partition, offset]) => ({ partition, offset: String(offset) })) });
    io.out(`rec dlq redrive: sent ${chosen.length} dead letters of ${dlq} back (${[...bySource].map(([source, messages]) => `${messages.length} to ${source}`).join(', ') || 'none'})`);
    return 0;
  } finally {
    await admin.disconnect();
  }
}

export const dlqCommand: Command = {
  name: 'dlq',
  summary: 'inspect dead letters, or redrive them to the topic they came from',
  usage: USAGE,
  async run(args, io) {
    const { positionals, values } = parseArgs({
      args,
      allowPositionals: true,
      options: { reason: { type: 'string' }, limit: { type: 'string', default: '20' }, json: { type: 'boolean', default: false }, 'dry-run': { type: 'boolean', default: false } },
    });
    const [action, name] = positionals;
    if ((action !== 'inspect' && action !== 'redrive') || name === undefined) {
      io.err(USAGE);
      return 2;
    }
    const connections = connect(io.environment);
    try {
      const topic = sourceTopicOf(connections, name);
      if (action === 'inspect') return await inspect(connections, topic, { reason: values.reason, limit: Number(values.limit), json: values.json }, io);
      return await redrive(connections, topic, { reason: values.reason, dryRun: values['dry-run'] }, io);
    } finally {
      await connections.close();
    }
  },
};
