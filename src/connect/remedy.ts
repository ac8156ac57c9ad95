import { isCredentialErrorCode } from '../aws/error-codes.ts';
import type { ConnectApiError } from './errors.ts';

/**
 * What to fix when Connect refuses a call for good. Pure; exported for tests and for `preflight`.
 */
export function remedyFor(error: ConnectApiError): string {
  const bareId = !error.tdgId.startsWith('arn:');
  if (error.status === 404 || error.code === 'ResourceNotFoundException') {
    if (bareId) {
      return (
        `the group was addressed by its bare id ${error.tdgId}, which resolves only in its home Region; ` +
        `set trafficDistributionGroup to its ARN (arn:aws:connect:<home Region>:<account>:traffic-distribution-group/${error.tdgId})`
      );
    }
    return (
      `check that the traffic distribution group ${error.tdgId} exists, that regions names its two Regions, ` +
      'and that the credentials belong to its account'
    );
  }
  if (isCredentialErrorCode(error.code)) {
    return 'the AWS credentials are missing or not accepted: configure the SDK default chain (environment, profile or role)';
  }
  if (error.status === 403 || /AccessDenied/i.test(error.code)) {
    return (
      `the controller's IAM identity may not call connect:${error.operation}: allow connect:UpdateTrafficDistribution, ` +
      `connect:GetTrafficDistribution and connect:DescribeTrafficDistributionGroup on ${error.tdgId} (the group's ARN in its home Region)`
    );
  }
  if (error.status === 400 || error.code === 'InvalidRequestException') {
    return "check that regions names the group's two Regions, that traffic percents are 0–100 in steps of 10, and that the group is ACTIVE";
  }
  return 'Connect refused the request; fix the cause in the message before shifting again';
}
