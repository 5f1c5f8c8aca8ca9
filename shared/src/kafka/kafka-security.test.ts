import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { readCommonConfig } from '../config/common-config';
import { displaySettingValue, redactUrlPassword, setting } from '../config/setting';
import { ConfigError } from '../errors/errors';
import { redisSecurity } from '../redis/redis-client';
import { kafkaSecurity } from './kafka-security';

describe('Kafka and Redis security settings', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kafka-security-'));
  const ca = path.join(dir, 'ca.pem');
  fs.writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n');
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('adds nothing by default (plaintext, no SASL)', () => {
    assert.deepEqual(kafkaSecurity(readCommonConfig({})), {});
  });

  it('builds TLS with a private CA and SASL SCRAM from the environment', () => {
    const security = kafkaSecurity(
      readCommonConfig({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: ca, KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'rec', KAFKA_SASL_PASSWORD: 'p4ss' }),
    );
    assert.deepEqual(security.sasl, { mechanism: 'scram-sha-512', username: 'rec', password: 'p4ss' });
    assert.ok(typeof security.ssl === 'object' && security.ssl.rejectUnauthorized === true);
    assert.deepEqual(typeof security.ssl === 'object' ? security.ssl.ca : null, [fs.readFileSync(ca, 'utf8')]);
  });

  it('refuses SASL without credentials, half a client certificate, or an unreadable file, naming the variable', () => {
    assert.throws(() => kafkaSecurity(readCommonConfig({ KAFKA_SASL_MECHANISM: 'plain' })), (error: unknown) => error instanceof ConfigError && /KAFKA_SASL_PASSWORD/.test(error.message));
    assert.throws(() => kafkaSecurity(readCommonConfig({ KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: ca })), /KAFKA_SSL_KEY_FILE/);
    assert.throws(() => kafkaSecurity(readCommonConfig({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: path.join(dir, 'missing.pem') })), /KAFKA_SSL_CA_FILE/);
  });

  it('gives Redis its password and CA; a CA needs rediss://', () => {
    assert.deepEqual(redisSecurity('redis://h:6379', { password: '' }), {});
    assert.deepEqual(redisSecurity('rediss://h:6379', { password: 'pw', tlsCaFile: ca }), { password: 'pw', tls: { ca: [fs.readFileSync(ca, 'utf8')] } });
    assert.throws(() => redisSecurity('redis://h:6379', { tlsCaFile: ca }), /rediss/);
  });

  it('never shows a secret: secrets as ***, URL passwords masked', () => {
    assert.equal(displaySettingValue(setting.secret('X_PASSWORD', 'a secret'), 'hunter2'), '***');
    assert.equal(displaySettingValue(setting.secret('X_PASSWORD', 'a secret'), ''), '');
    assert.equal(redactUrlPassword('rediss://rec:hunter2@cache:6380/0'), 'rediss://rec:***@cache:6380/0');
    assert.equal(redactUrlPassword('redis://:hunter2@cache:6380'), 'redis://:***@cache:6380');
    assert.equal(redactUrlPassword('redis://cache:6380'), 'redis://cache:6380');
  });
});
