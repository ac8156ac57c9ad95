import { describe, expect, it } from 'vitest';
import {
  CREDENTIAL_PROVIDER_ERRORS,
  EXPIRED_CREDENTIAL_CODES,
  isCredentialErrorCode,
  NETWORK_ERROR_CODES,
  NOT_SENT_NETWORK_CODES,
  THROTTLING_CODES,
  TIMEOUT_CODES,
} from '../../src/aws/error-codes.ts';

describe('SDK error codes', () => {
  it.each([
    'Throttling',
    'ThrottlingException',
    'RequestThrottled',
    'TooManyRequestsException',
    'LimitExceededException',
    'SlowDown',
  ])('counts %s as throttling', (code) => {
    // Act, Assess
    expect(THROTTLING_CODES.has(code)).toBe(true);
  });

  it('counts every Node code that proves a request was never sent as a network error', () => {
    // Act
    const missing = [...NOT_SENT_NETWORK_CODES].filter((code) => !NETWORK_ERROR_CODES.has(code));

    // Assess
    expect(missing).toEqual([]);
    expect(NOT_SENT_NETWORK_CODES.has('ECONNREFUSED')).toBe(true);
    // A reset connection may have delivered the request first.
    expect(NOT_SENT_NETWORK_CODES.has('ECONNRESET')).toBe(false);
    expect(NETWORK_ERROR_CODES.has('ECONNRESET')).toBe(true);
  });

  it('keeps timeouts apart from network errors: a timed-out request may still be applied', () => {
    // Act, Assess
    expect(TIMEOUT_CODES.has('TimeoutError')).toBe(true);
    expect(TIMEOUT_CODES.has('ETIMEDOUT')).toBe(true);
    expect(NETWORK_ERROR_CODES.has('ETIMEDOUT')).toBe(false);
  });

  it.each([
    ['CredentialsProviderError', true],
    ['ProviderError', true],
    ['ExpiredToken', true],
    ['ExpiredTokenException', true],
    ['InvalidClientTokenId', true],
    ['UnrecognizedClientException', true],
    ['InvalidSignatureException', true],
    ['SignatureDoesNotMatch', true],
    ['AccessDenied', false],
    ['AccessDeniedException', false],
    ['ThrottlingException', false],
  ])('says whether %s is a credential problem (%s)', (code, expected) => {
    // Act
    const found = isCredentialErrorCode(code);

    // Assess
    expect(found).toBe(expected);
  });

  it('lists only credential problems among those that fix themselves', () => {
    // Act
    const notCredential = [...CREDENTIAL_PROVIDER_ERRORS, ...EXPIRED_CREDENTIAL_CODES].filter(
      (code) => !isCredentialErrorCode(code),
    );

    // Assess
    expect(notCredential).toEqual([]);
  });
});
