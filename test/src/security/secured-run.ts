/**
 * A secured run: Kafka with a SASL_SSL listener (PLAIN and SCRAM-SHA-256/512 users; certificates made
 * here with openssl) and Redis with TLS only and a password, both of the run's own, on free ports. For
 * each SASL mechanism it runs the learning-loop integration test against them (services, harness and
 * assertions all connect through the KAFKA_SSL* / KAFKA_SASL* / REDIS_* settings), then checks that a
 * wrong password and a plaintext client are refused, and that no secret appears in any output (the
 * tests', `rec config`'s, and a debug-level service's log). Exits 1 on any failure.
 *
 *   node test/dist/security/secured-run.js        (needs java, openssl, redis-server with TLS)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Redis } from 'ioredis';
import { REPO_ROOT } from '../bench/bench-options';
import { PrivateKafka, portOpen } from '../faults/private-kafka';
import { PrivateRedis } from '../faults/private-redis';

const log = (line: string) => process.stdout.write(`secured-run: ${line}\n`);
const MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;

async function freePorts(count: number): Promise<number[]> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const base = 20_000 + Math.floor(Math.random() * 9_000);
    const candidate = Array.from({ length: count }, (_, index) => base + index);
    if (!(await Promise.all(candidate.map((port) => portOpen(port)))).some(Boolean)) return candidate;
  }
  throw new Error('no free ports');
}

/** A CA and a server certificate for 127.0.0.1/localhost, and the server's PKCS#12 keystore for Kafka. */
function makeCertificates(dir: string, keystorePassword: string): { ca: string; cert: string; key: string; keystore: string } {
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '2', '-subj', '/CN=rec-secured-run-ca');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=localhost');
  fs.writeFileSync(file('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl('x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file('server.pem'), '-days', '2', '-extfile', file('san.ext'));
  openssl('pkcs12', '-export', '-in', file('server.pem'), '-inkey', file('server.key'), '-certfile', file('ca.pem'), '-name', 'broker', '-out', file('server.p12'), '-passout', `pass:${keystorePassword}`);
  return { ca: file('ca.pem'), cert: file('server.pem'), key: file('server.key'), keystore: file('server.p12') };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-secured-'));
  const secrets = { kafka: `k-${randomBytes(12).toString('hex')}`, redis: `r-${randomBytes(12).toString('hex')}`, keystore: `s-${randomBytes(12).toString('hex')}` };
  const [saslPort, internalPort, controllerPort, redisTlsPort] = await freePorts(4);
  const certs = makeCertificates(dir, secrets.keystore);
  const jaas = (module: string, users = '') => `${module} required${users};`;
  const kafka = new PrivateKafka({
    port: saslPort,
    controllerPort,
    dataDir: path.join(dir, 'kafka'),
    extraProperties: {
      listeners: `SASL_SSL://127.0.0.1:${saslPort},INTERNAL://127.0.0.1:${internalPort},CONTROLLER://127.0.0.1:${controllerPort}`,
      'advertised.listeners': `SASL_SSL://127.0.0.1:${saslPort},INTERNAL://127.0.0.1:${internalPort}`,
      'listener.security.protocol.map': 'SASL_SSL:SASL_SSL,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'inter.broker.listener.name': 'INTERNAL',
      'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
      'listener.name.sasl_ssl.plain.sasl.jaas.config': jaas('org.apache.kafka.common.security.plain.PlainLoginModule', ` user_rec="${secrets.kafka}"`),
      'listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config': jaas('org.apache.kafka.common.security.scram.ScramLoginModule'),
      'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config': jaas('org.apache.kafka.common.security.scram.ScramLoginModule'),
      'ssl.keystore.type': 'PKCS12',
      'ssl.keystore.location': certs.keystore,
      'ssl.keystore.password': secrets.keystore,
      'ssl.key.password': secrets.keystore,
    },
    // SCRAM credentials live in the cluster metadata: written when the storage is formatted.
    formatArgs: ['--add-scram', `SCRAM-SHA-256=[name=rec,password=${secrets.kafka}]`, '--add-scram', `SCRAM-SHA-512=[name=rec,password=${secrets.kafka}]`],
  });
  const redis = new PrivateRedis({
    port: 0,
    waitPort: redisTlsPort,
    dataDir: path.join(dir, 'redis'),
    extraArgs: ['--tls-port', String(redisTlsPort), '--tls-cert-file', certs.cert, '--tls-key-file', certs.key, '--tls-ca-cert-file', certs.ca, '--tls-auth-clients', 'no', '--requirepass', secrets.redis],
  });
  const failures: string[] = [];
  const outputs: string[] = [];
  const baseEnv = {
    ...process.env,
    KAFKA_BROKERS: `127.0.0.1:${saslPort}`,
    KAFKA_SSL: 'true',
    KAFKA_SSL_CA_FILE: certs.ca,
    KAFKA_SASL_USERNAME: 'rec',
    KAFKA_SASL_PASSWORD: secrets.kafka,
    REDIS_URL: `rediss://127.0.0.1:${redisTlsPort}`,
    REDIS_TLS_CA_FILE: certs.ca,
    REDIS_PASSWORD: secrets.redis,
  };
  try {
    log(`starting Kafka (SASL_SSL on 127.0.0.1:${saslPort}) and Redis (TLS only on ${redisTlsPort}, password) in ${dir}`);
    await Promise.all([kafka.start(), redis.start()]);

    for (const mechanism of MECHANISMS) {
      log(`learning-loop integration test over SASL_SSL ${mechanism} and rediss:// with AUTH`);
      const run = spawnSync(process.execPath, ['--test', '--test-reporter=spec', '--test-timeout=180000', 'test/dist/integration/learning-loop.test.js'], {
        cwd: REPO_ROOT,
        env: { ...baseEnv, KAFKA_SASL_MECHANISM: mechanism },
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      outputs.push(run.stdout, run.stderr);
      const passed = run.status === 0 && /(ℹ|#) fail 0/.test(run.stdout) && /(ℹ|#) pass [1-9]/.test(run.stdout);
      log(`  ${passed ? 'passed' : 'FAILED'} (exit ${run.status})`);
      if (!passed) failures.push(`learning loop over ${mechanism}: exit ${run.status}\n${run.stdout.slice(-3_000)}\n${run.stderr.slice(-2_000)}`);
    }

    // A service at debug level and `rec config` print what they know; no secret may be among it.
    const ensure = spawnSync(process.execPath, ['shared/dist/cli/ensure-topics.js'], { cwd: REPO_ROOT, env: { ...baseEnv, KAFKA_SASL_MECHANISM: 'scram-sha-512', LOG_LEVEL: 'debug', TOPIC_PREFIX: 'secured-check.' }, encoding: 'utf8' });
    outputs.push(ensure.stdout, ensure.stderr);
    if (ensure.status !== 0) failures.push(`ensure-topics over SCRAM-SHA-512 failed: ${ensure.stderr}`);
    const config = spawnSync(process.execPath, ['tools/cli/bin/rec.js', 'config'], { cwd: REPO_ROOT, env: { ...baseEnv, KAFKA_SASL_MECHANISM: 'plain', REDIS_URL: `rediss://rec:${secrets.redis}@127.0.0.1:${redisTlsPort}` }, encoding: 'utf8' });
    outputs.push(config.stdout, config.stderr);
    if (!/KAFKA_SASL_PASSWORD\s+\S*\s+\*\*\*/.test(config.stdout)) failures.push(`rec config does not show KAFKA_SASL_PASSWORD as ***:\n${config.stdout.slice(0, 2_000)}${config.stderr}`);

    // Authentication is enforced: a wrong password and a plaintext client are refused.
    const wrong = spawnSync(process.execPath, ['shared/dist/cli/ensure-topics.js'], { cwd: REPO_ROOT, env: { ...baseEnv, KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_PASSWORD: 'not-the-password', TOPIC_PREFIX: 'secured-wrong.' }, encoding: 'utf8', timeout: 120_000 });
    if (wrong.status === 0) failures.push('a wrong SASL password was accepted');
    else log(`wrong SASL password refused: ${(wrong.stderr.split('\n').find((line) => line.includes('failed')) ?? '').slice(0, 160)}`);
    const plaintext = spawnSync(process.execPath, ['shared/dist/cli/ensure-topics.js'], { cwd: REPO_ROOT, env: { ...process.env, KAFKA_BROKERS: `127.0.0.1:${saslPort}`, TOPIC_PREFIX: 'secured-plain.' }, encoding: 'utf8', timeout: 120_000 });
    if (plaintext.status === 0) failures.push('a plaintext client without SASL was accepted');
    else log('plaintext client without SASL refused');
    // Over TLS (the handshake succeeds), without the password: the command must be refused with NOAUTH.
    const noAuth = new Redis(`rediss://127.0.0.1:${redisTlsPort}`, { tls: { ca: [fs.readFileSync(certs.ca, 'utf8')] }, lazyConnect: true, enableReadyCheck: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      await noAuth.connect();
      await noAuth.set('secured-run:probe', '1');
      failures.push('Redis accepted a write without the password');
    } catch (error) {
      const message = (error as Error).message;
      if (/NOAUTH/.test(message)) log(`Redis without the password refused: ${message.slice(0, 80)}`);
      else failures.push(`Redis without the password failed otherwise than NOAUTH (TLS?): ${message}`);
    } finally {
      noAuth.disconnect();
    }

    const leaked = Object.entries(secrets).filter(([, secret]) => outputs.some((output) => output.includes(secret)));
    if (leaked.length > 0) failures.push(`secrets in the output: ${leaked.map(([name]) => name).join(', ')}`);
    else log(`no secret in ${outputs.reduce((sum, output) => sum + output.split('\n').length, 0)} lines of output`);
  } finally {
    await kafka.destroy();
    await redis.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  if (failures.length > 0) {
    log(`FAILED:\n${failures.join('\n')}`);
    process.exit(1);
  }
  log('passed');
}

main().catch((error: unknown) => {
  process.stderr.write(`secured-run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
