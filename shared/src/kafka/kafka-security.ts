import * as fs from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { SASLOptions } from 'kafkajs';
import type { CommonConfig } from '../config/common-config';
import { ConfigError } from '../errors/errors';

/** What kafkajs needs to reach a secured cluster: TLS options and SASL credentials. */
export interface KafkaSecurity {
  ssl?: ConnectionOptions | boolean;
  sasl?: SASLOptions;
}

function readPem(file: string, variable: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${variable}: cannot read ${file}: ${(error as Error).message}`);
  }
}

/**
 * The TLS and SASL options of the KAFKA_SSL* and KAFKA_SASL* settings: TLS with an optional private CA
 * and client certificate (mutual TLS), and SASL PLAIN or SCRAM-SHA-256/512 (over TLS in production:
 * PLAIN sends the password as is). Nothing here is ever logged.
 */
export function kafkaSecurity(config: Pick<CommonConfig, 'kafkaSsl' | 'kafkaSslCaFile' | 'kafkaSslCertFile' | 'kafkaSslKeyFile' | 'kafkaSslRejectUnauthorized' | 'kafkaSaslMechanism' | 'kafkaSaslUsername' | 'kafkaSaslPassword'>): KafkaSecurity {
  const security: KafkaSecurity = {};
  if (config.kafkaSsl) {
    const tls: ConnectionOptions = { rejectUnauthorized: config.kafkaSslRejectUnauthorized };
    if (config.kafkaSslCaFile !== '') tls.ca = [readPem(config.kafkaSslCaFile, 'KAFKA_SSL_CA_FILE')];
    if ((config.kafkaSslCertFile === '') !== (config.kafkaSslKeyFile === '')) throw new ConfigError('KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together: set both or neither');
    if (config.kafkaSslCertFile !== '') {
      tls.cert = readPem(config.kafkaSslCertFile, 'KAFKA_SSL_CERT_FILE');
      tls.key = readPem(config.kafkaSslKeyFile, 'KAFKA_SSL_KEY_FILE');
    }
    security.ssl = tls;
  }
  if (config.kafkaSaslMechanism !== 'none') {
    if (config.kafkaSaslUsername === '' || config.kafkaSaslPassword === '') throw new ConfigError(`KAFKA_SASL_MECHANISM=${config.kafkaSaslMechanism} needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD`);
    security.sasl = { mechanism: config.kafkaSaslMechanism, username: config.kafkaSaslUsername, password: config.kafkaSaslPassword } as SASLOptions;
  }
  return security;
}
