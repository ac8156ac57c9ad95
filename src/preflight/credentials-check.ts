import type { CheckResult } from './types.ts';
import { messageOf } from './types.ts';

/** What an AWS SDK client's resolved `config.credentials` returns; only the expiry is read. */
export type CredentialProvider = () => Promise<{ expiration?: Date | undefined }>;

/**
 * The SDK's default credential chain (environment, profile, SSO, container or instance role) resolves.
 * STS is not called: resolving the chain is what every other call needs first, and `GetCallerIdentity`
 * would add a dependency and a permission for no further proof (the other checks exercise the identity).
 */
export async function checkCredentials(provider: CredentialProvider, now: number): Promise<CheckResult> {
  const base = { id: 'credentials', title: 'AWS credentials' };
  try {
    const identity = await provider();
    const expiration = identity.expiration;
    if (expiration && expiration.getTime() - now < 15 * 60_000) {
      return {
        ...base,
        status: 'warn',
        detail: `resolved, but they expire at ${expiration.toISOString()}`,
        fix: 'use credentials that refresh themselves (an instance, task or pod role) for a long-running controller',
      };
    }
    return {
      ...base,
      status: 'pass',
      detail: `resolved by the SDK's default chain${expiration ? ` (expire at ${expiration.toISOString()}, refreshed by the SDK)` : ''}`,
    };
  } catch (error) {
    return {
      ...base,
      status: 'fail',
      detail: `the SDK's default credential chain found none: ${messageOf(error)}`,
      fix: 'give the controller an IAM role (instance profile, ECS task role, EKS pod identity), or set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY',
    };
  }
}
