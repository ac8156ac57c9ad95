import { describe, expect, it } from 'vitest';
import { LocalStackUnavailableError, isMissingPackage, startFauxqs } from '../../src/local/sqs-emulator.ts';

/** The error Node gives an ESM import of a package that is not installed. */
function notInstalled(name: string): Error {
  return Object.assign(
    new Error(`Cannot find package '${name}' imported from /opt/connect-failover/dist/src/local/sqs-emulator.js`),
    {
      code: 'ERR_MODULE_NOT_FOUND',
    },
  );
}

describe('the SQS emulator of the local stack', () => {
  it('says what to install when fauxqs is missing (a production install), instead of a resolution stack trace', async () => {
    // Act
    const error = await startFauxqs({ port: 0 }, () => Promise.reject(notInstalled('fauxqs'))).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(LocalStackUnavailableError);
    const { message, retryable } = error as LocalStackUnavailableError;
    expect(retryable).toBe(false);
    expect(message).toContain('needs the SQS emulator fauxqs, a development dependency');
    expect(message).toContain('run `npm ci`');
    expect(message).toContain('npm install --no-save fauxqs');
  });

  it('passes on any other failure to load it (a package of its own missing is not "fauxqs is missing")', async () => {
    // Prepare
    const inner = notInstalled('fastify');

    // Act
    const error = await startFauxqs({ port: 0 }, () => Promise.reject(inner)).catch((e: unknown) => e);

    // Assess
    expect(error).toBe(inner);
    expect(isMissingPackage(inner, 'fauxqs')).toBe(false);
  });

  it('starts the real emulator when it is installed', async () => {
    // Act
    const server = await startFauxqs({ port: 0, logger: false });

    // Assess
    try {
      expect(server.address).toMatch(/^http:\/\/(127\.0\.0\.1|localhost):\d+$/);
    } finally {
      await server.stop();
    }
  });
});
