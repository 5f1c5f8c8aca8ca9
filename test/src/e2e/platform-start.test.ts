import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { codecs, type RecommendationAction } from '@rec/shared';
import { kafkaBrokers, openTestContext, sampleCatalogItem, sampleRequest, startPlatform, temporaryDirectory, waitFor, type StartedPlatform, type TestContext } from '../harness';

/**
 * `npm start` as a new user runs it (infra/bin/start: the four services as processes, ready checks, one log
 * folder, Ctrl-C stops all), used by clients outside Node: Debian's kcat and a Python producer
 * (confluent-kafka + fastavro), both on librdkafka, which must be told to use the murmur2 partitioner
 * (docs/contract.md) so a user's requests land where the actor's kafkajs producer puts that user's actions.
 */

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const PARTITIONS = 4;
const ITEMS = ['item-1', 'item-2', 'item-3', 'item-4', 'item-5'];
/** The Python client's pinned packages (wheels bundle librdkafka). */
const PYTHON_PACKAGES = ['confluent-kafka==2.6.1', 'fastavro==1.9.7'];

function run(command: string, args: string[], options: { input?: Buffer; timeoutMs?: number } = {}): { status: number | null; stdout: Buffer; stderr: string } {
  const result = spawnSync(command, args, { cwd: REPO_ROOT, input: options.input, timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status, stdout: result.stdout ?? Buffer.alloc(0), stderr: `${result.stderr?.toString() ?? ''}${result.error?.message ?? ''}` };
}

/** Messages as kcat prints them with -f '%p %k %S\n%s\n': partition, key, then exactly size value bytes. */
function parseKcat(output: Buffer): Array<{ partition: number; key: string; value: Buffer }> {
  const messages: Array<{ partition: number; key: string; value: Buffer }> = [];
  let offset = 0;
  while (offset < output.length) {
    const newline = output.indexOf(0x0a, offset);
    if (newline < 0) break;
    const [partition, key, size] = output.subarray(offset, newline).toString('utf8').split(' ');
    const start = newline + 1;
    messages.push({ partition: Number(partition), key, value: output.subarray(start, start + Number(size)) });
    offset = start + Number(size) + 1;
  }
  return messages;
}

/** A virtualenv under .local/ with the pinned client packages (created once, then reused). */
function pythonWithClients(): string {
  const venv = path.join(REPO_ROOT, '.local', 'python-interop');
  const python = path.join(venv, 'bin', 'python');
  const marker = path.join(venv, PYTHON_PACKAGES.join('+'));
  if (!fs.existsSync(marker)) {
    const created = run('python3', ['-m', 'venv', venv], { timeoutMs: 120_000 });
    assert.equal(created.status, 0, `python3 -m venv failed (Debian: apt-get install python3-venv): ${created.stderr}`);
    const installed = run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', ...PYTHON_PACKAGES], { timeoutMs: 300_000 });
    assert.equal(installed.status, 0, `pip install ${PYTHON_PACKAGES.join(' ')} failed: ${installed.stderr}`);
    fs.writeFileSync(marker, '');
  }
  return python;
}

// In CI (.ci/run installs it through infra/bin/tools-up) a missing kcat is a failure, elsewhere a skip.
const kcatSkip = run('kcat', ['-V']).status === 0 || process.env.CI === 'true' ? false : 'kcat is not installed (apt-get install kcat; infra/bin/tools-up does)';

describe('npm start, and outside clients on librdkafka', () => {
  let ctx: TestContext;
  let platform: StartedPlatform | null = null;

  before(async () => {
    ctx = await openTestContext('start');
    await ctx.createTopics(PARTITIONS);
    await ctx.produceRecords(ctx.ns.topics.catalog, codecs.catalogItem, ITEMS.map((itemId) => sampleCatalogItem({ itemId })), (item) => item.itemId);
    platform = await startPlatform(ctx.ns);
  });

  after(async () => {
    await platform?.interrupt();
    await ctx.cleanup();
  });

  it('starts the parameter server, a learner, a joiner and an actor, each ready, each logging to the one folder', async () => {
    assert.deepEqual(platform!.processes.map((entry) => entry.name), ['parameter-server', 'learner-1', 'joiner-1', 'actor-1', 'status-page']);
    for (const entry of platform!.processes) {
      const ready = await fetch(entry.metricsUrl.replace(/\/metrics$/, '/readyz'));
      assert.equal(ready.status, 200, `${entry.name} /readyz`);
      assert.equal(path.dirname(entry.log), platform!.logDir);
      assert.ok(fs.statSync(entry.log).size > 0, `${entry.log} is empty`);
    }
  });

  it('serves requests published with kcat (murmur2 partitioner) on the partition the key maps to', { skip: kcatSkip }, (t) => {
    const tmp = temporaryDirectory(t.after.bind(t), 'rec-kcat-');
    const users = Array.from({ length: 6 }, (_, index) => `kcat-user-${index}`);
    assert.equal(run('kcat', ['-V']).status, 0, 'kcat is not installed (Debian: apt-get install kcat; .ci/run installs it)');
    for (const [index, userId] of users.entries()) {
      const file = path.join(tmp, `request-${index}.avro`);
      fs.writeFileSync(file, codecs.request.encode(sampleRequest({ requestId: `kcat-${index}`, userId, timestamp: Date.now(), candidateItemIds: null, contextItemId: null })));
      // One message per file; -X partitioner=murmur2_random is what a librdkafka client must set.
      const produced = run('kcat', ['-P', '-b', kafkaBrokers(), '-t', ctx.ns.topics.requests, '-k', userId, '-X', 'partitioner=murmur2_random', file]);
      assert.equal(produced.status, 0, `kcat -P: ${produced.stderr}`);
    }
    const requests = parseKcat(run('kcat', ['-C', '-b', kafkaBrokers(), '-t', ctx.ns.topics.requests, '-o', 'beginning', '-e', '-q', '-f', '%p %k %S\n%s\n']).stdout);
    const requestPartition = new Map(requests.map((message) => [message.key, message.partition]));
    assert.equal(requestPartition.size, users.length);

    let actions: Array<{ partition: number; key: string; action: RecommendationAction }> = [];
    for (let attempt = 0; attempt < 120; attempt += 1) {
      const read = run('kcat', ['-C', '-b', kafkaBrokers(), '-t', ctx.ns.topics.actions, '-o', 'beginning', '-e', '-q', '-f', '%p %k %S\n%s\n']);
      actions = parseKcat(read.stdout)
        .map((message) => ({ partition: message.partition, key: message.key, action: codecs.action.decode(message.value) }))
        .filter((entry) => entry.action.requestId.startsWith('kcat-'));
      if (actions.length >= users.length) break;
      spawnSync('sleep', ['0.5']);
    }
    assert.equal(actions.length, users.length, `actions for the kcat requests: ${actions.length} of ${users.length}`);
    for (const { partition, key, action } of actions) {
      assert.equal(key, action.userId);
      assert.equal(partition, requestPartition.get(action.userId), `user ${action.userId}: request and action on one partition`);
      assert.equal(action.items.length, 2);
      for (const item of action.items) assert.ok(ITEMS.includes(item.itemId), `served ${item.itemId}`);
    }
  });

  it('serves requests published from Python (confluent-kafka + fastavro), actions on the requests\' partitions', () => {
    const python = pythonWithClients();
    const result = run(
      python,
      [
        'test/python/interop_client.py',
        '--brokers',
        kafkaBrokers(),
        '--topic-prefix',
        ctx.ns.topicPrefix,
        '--schemas',
        'shared/schemas',
        '--users',
        '6',
        '--candidates',
        'item-1,item-2,item-3',
        '--timeout-s',
        '90',
      ],
      { timeoutMs: 150_000 },
    );
    const lines = result.stdout.toString('utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as { answered: boolean; userId: string; requestPartition: number; actionPartition: number; actionKey: string; action: RecommendationAction });
    assert.equal(result.status, 0, `the Python client failed (${result.status}): ${result.stderr}\n${result.stdout.toString('utf8')}`);
    assert.equal(lines.length, 6);
    for (const line of lines) {
      assert.equal(line.answered, true);
      assert.equal(line.actionKey, line.userId);
      assert.equal(line.actionPartition, line.requestPartition, `user ${line.userId}: request and action on one partition`);
      assert.equal(line.action.items.length, 2);
      for (const item of line.action.items) assert.ok(['item-1', 'item-2', 'item-3'].includes(item.itemId), `served ${item.itemId} outside the candidates`);
    }
  });

  it('stops every process cleanly on Ctrl-C', async () => {
    const pids = platform!.processes.map((entry) => entry.pid);
    const code = await platform!.interrupt();
    assert.equal(code, 0, platform!.output());
    assert.match(platform!.output(), /start: stopped cleanly/);
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await waitFor(() => pids.every((pid) => !alive(pid)), { what: 'every service process to be gone', timeoutMs: 5_000 });
    for (const entry of platform!.processes) {
      const log = fs.readFileSync(entry.log, 'utf8');
      assert.match(log, /"msg":"draining"/, `${entry.name} drained`);
      assert.match(log, /"step":"health-server".*"msg":"shutdown step done"/, `${entry.name} ran its drain to the end`);
    }
    platform = null;
  });
});
