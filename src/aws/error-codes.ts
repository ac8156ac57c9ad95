/**
 * The error codes the AWS SDK and Node report, grouped by what they mean for a retry. The adapters
 * (SQS intake, Connect traffic, the remedies the shifter and preflight print) classify with these lists,
 * so a code added here is understood everywhere at once. Imports nothing from the project.
 */

/**
 * Codes that mean "slow down". Services disagree on the word, and SQS answers some of them with HTTP
 * 400, not 429, so the status alone does not tell.
 */
export const THROTTLING_CODES: ReadonlySet<string> = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  // Connect's answer when a per-account rate is used up (HTTP 429).
  'LimitExceededException',
  'OverLimit',
  'KmsThrottled',
  'SlowDown',
]);

/** Node codes that prove the request never reached the server, so a write cannot have been applied. */
export const NOT_SENT_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * Failures below HTTP: {@link NOT_SENT_NETWORK_CODES} and connections cut after the request may have
 * been delivered (a write may have been applied).
 */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  ...NOT_SENT_NETWORK_CODES,
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'UND_ERR_SOCKET',
]);

/**
 * No answer in time. Kept apart from {@link NETWORK_ERROR_CODES}: the request was sent, and the node
 * HTTP handler reports some resets as `TimeoutError` too.
 */
export const TIMEOUT_CODES: ReadonlySet<string> = new Set([
  'ETIMEDOUT',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

/** Thrown by the SDK before sending: no credentials could be resolved (yet) from the default chain. */
export const CREDENTIAL_PROVIDER_ERRORS: ReadonlySet<string> = new Set(['CredentialsProviderError', 'ProviderError']);

/**
 * AWS refused the credentials as expired or unknown: a rotated role session, which the next refresh
 * fixes. Denied permissions (AccessDenied) need someone to change IAM and are not here.
 */
export const EXPIRED_CREDENTIAL_CODES: ReadonlySet<string> = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
]);

/** The request's signing time is too far from AWS's clock; the SDK corrects its offset on the next call. */
export const CLOCK_SKEW_CODES: ReadonlySet<string> = new Set(['RequestExpired', 'RequestTimeTooSkewed']);

/** The signature does not match: a wrong secret key, which no retry fixes. */
export const BAD_SIGNATURE_CODES: ReadonlySet<string> = new Set(['InvalidSignatureException', 'SignatureDoesNotMatch']);

/**
 * Whether `code` says the credentials are the problem (missing, expired, unknown or wrong), so the
 * remedy is to fix the credentials rather than IAM permissions. Codes mentioning "credential" count
 * too: credential providers name their errors freely.
 */
export function isCredentialErrorCode(code: string): boolean {
  return (
    /credential/i.test(code) ||
    CREDENTIAL_PROVIDER_ERRORS.has(code) ||
    EXPIRED_CREDENTIAL_CODES.has(code) ||
    BAD_SIGNATURE_CODES.has(code)
  );
}
