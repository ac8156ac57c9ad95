import type { IncomingHttpHeaders } from 'node:http';

/** The credential scope of a SigV4-signed request: who signed, for which day, Region and service. */
export interface SigV4Scope {
  accessKeyId: string;
  /** `YYYYMMDD`, as signed. */
  date: string;
  region: string;
  service: string;
}

// Credential=AKID/20261128/us-west-2/connect/aws4_request
const CREDENTIAL = /Credential=([^/\s,]+)\/(\d{8})\/([^/\s,]+)\/([^/\s,]+)\/aws4_request/;

/**
 * Reads the SigV4 credential scope from the `Authorization` header, or from the `X-Amz-Credential`
 * query parameter of a presigned URL. The signature is not verified: local simulators only need to
 * know which Region and service the caller addressed, which real endpoints learn from their hostname.
 *
 * @returns the scope, or `undefined` when the request is not SigV4-signed.
 */
export function readSigV4Scope(headers: IncomingHttpHeaders, url?: URL): SigV4Scope | undefined {
  const authorization = headers.authorization;
  const fromHeader = typeof authorization === 'string' ? parseCredential(authorization) : undefined;
  if (fromHeader) return fromHeader;
  const presigned = url?.searchParams.get('X-Amz-Credential');
  return presigned ? parseCredential(`Credential=${presigned}`) : undefined;
}

function parseCredential(text: string): SigV4Scope | undefined {
  const match = CREDENTIAL.exec(text);
  if (!match) return undefined;
  const [, accessKeyId, date, region, service] = match;
  if (!accessKeyId || !date || !region || !service) return undefined;
  return { accessKeyId, date, region, service };
}
