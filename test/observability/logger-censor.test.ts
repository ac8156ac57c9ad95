import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { censorSecrets, createLogger } from '../../src/observability/logger.ts';

function capture(): { logger: ReturnType<typeof createLogger>; lines: () => Array<Record<string, unknown>> } {
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      raw.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return {
    logger: createLogger({ destination }),
    lines: () => raw.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('censorSecrets', () => {
  it('returns a line without secrets as it is, without copying it', () => {
    const line = {
      messageId: 'm-1',
      alarm: 'arn:aws:cloudwatch:us-east-1:111122223333:alarm:x',
      nested: { a: [1, 2] },
    };
    expect(censorSecrets(line)).toBe(line);
  });

  it('censors secret keys on the line and two levels below it, in objects and lists, and leaves the input unchanged', () => {
    // Prepare
    const line = {
      body: 'b',
      a: { Body: 'b', b: { sessionToken: 't', c: { accessKeyId: 'deeper than redaction reaches' } } },
      list: [{ authorization: 'x' }],
    };
    const before = structuredClone(line);

    // Act
    const censored = censorSecrets(line);

    // Assess
    expect(censored).toEqual({
      body: '[redacted]',
      a: { Body: '[redacted]', b: { sessionToken: '[redacted]', c: { accessKeyId: 'deeper than redaction reaches' } } },
      list: [{ authorization: '[redacted]' }],
    });
    expect(line).toEqual(before);
  });
});

describe('the logger', () => {
  it('censors the bindings of a child logger, and of its own children', () => {
    // Prepare
    const { logger, lines } = capture();

    // Act
    const child = logger.child({ client: { credentials: { secretAccessKey: 's' } }, region: 'us-west-2' });
    child.info('built');
    child.child({ authorization: 'sig' }).info('signed');

    // Assess
    expect(lines()[0]).toMatchObject({ client: { credentials: '[redacted]' }, region: 'us-west-2', msg: 'built' });
    expect(lines()[1]).toMatchObject({
      client: { credentials: '[redacted]' },
      region: 'us-west-2',
      authorization: '[redacted]',
      msg: 'signed',
    });
  });

  it('censors what an error carries under a secret key, one level below the error', () => {
    // Prepare
    const { logger, lines } = capture();
    const error = Object.assign(new Error('denied'), {
      credentials: { accessKeyId: 'AKIA' },
      headers: { Authorization: 'sig' },
    });

    // Act
    logger.error({ err: error }, 'call failed');

    // Assess
    expect(lines()[0]).toMatchObject({
      err: { message: 'denied', credentials: '[redacted]', headers: { Authorization: '[redacted]' } },
    });
  });

  it('writes an ordinary line unchanged', () => {
    const { logger, lines } = capture();
    logger.info({ messageId: 'm-1', outcome: 'applied' }, 'alarm state change');
    expect(lines()[0]).toMatchObject({
      level: 'info',
      service: 'connect-failover',
      messageId: 'm-1',
      outcome: 'applied',
      msg: 'alarm state change',
    });
  });
});
