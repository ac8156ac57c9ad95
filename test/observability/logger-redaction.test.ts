import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.ts';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const SIGNATURE =
  'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261128/us-east-1/connect/aws4_request, Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024';

function capture(): { logger: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: createLogger({ destination }), lines };
}

describe('credentials never reach a log line', () => {
  it('censors access key, secret and session token at the top level', () => {
    // Prepare
    const { logger, lines } = capture();

    // Act
    logger.info(
      { accessKeyId: KEY_ID, secretAccessKey: SECRET, sessionToken: 'token-123', region: 'us-east-1' },
      'client built',
    );

    // Assess
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({
      accessKeyId: '[redacted]',
      secretAccessKey: '[redacted]',
      sessionToken: '[redacted]',
      region: 'us-east-1',
    });
    expect(lines[0]).not.toContain(SECRET);
    expect(lines[0]).not.toContain(KEY_ID);
  });

  it('censors a credentials object and an authorization header nested in what is logged', () => {
    // Prepare
    const { logger, lines } = capture();

    // Act
    logger.warn(
      {
        client: { credentials: { accessKeyId: KEY_ID, secretAccessKey: SECRET } },
        request: { headers: { authorization: SIGNATURE, host: 'connect.us-west-2.amazonaws.com' } },
      },
      'request failed',
    );

    // Assess
    const line = JSON.parse(lines[0]!) as {
      client: { credentials: unknown };
      request: { headers: Record<string, string> };
    };
    expect(line.client.credentials).toBe('[redacted]');
    expect(line.request.headers).toEqual({ authorization: '[redacted]', host: 'connect.us-west-2.amazonaws.com' });
    expect(lines[0]).not.toContain(SECRET);
    expect(lines[0]).not.toContain('Signature=');
  });

  it('censors an Authorization header with a capital A as well', () => {
    // Prepare
    const { logger, lines } = capture();

    // Act
    logger.error({ headers: { Authorization: SIGNATURE } }, 'signed request');

    // Assess
    expect(lines[0]).not.toContain('Signature=');
    expect(JSON.parse(lines[0]!)).toMatchObject({ headers: { Authorization: '[redacted]' } });
  });
});

describe('AWS SDK errors in logs', () => {
  it('drops the raw $response (headers deeper than redaction reaches) and keeps the status and request id', () => {
    // Prepare
    const { logger, lines } = capture();
    class ThrottlingException extends Error {}
    const error = Object.assign(new ThrottlingException('Rate exceeded'), {
      $metadata: { httpStatusCode: 429, requestId: 'req-1', attempts: 1 },
      $response: { statusCode: 429, headers: { authorization: SIGNATURE } },
    });

    // Act
    logger.warn({ err: error }, 'call failed');

    // Assess
    const line = JSON.parse(lines[0]!) as { err: Record<string, unknown> };
    expect(line.err).toMatchObject({
      type: 'ThrottlingException',
      message: 'Rate exceeded',
      $metadata: { httpStatusCode: 429, requestId: 'req-1' },
    });
    expect(line.err.$response).toBeUndefined();
    expect(lines[0]).not.toContain('Signature=');
  });
});
