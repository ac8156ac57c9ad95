/**
 * The restJson1 side of the simulated Connect API: which operation a method and path name, how errors are
 * sent, and the page tokens of the List operations.
 */
import type { ConnectTrafficOperation } from './connect-faults.ts';

/** The traffic operations, and the percent-decoded group id of the per-group ones. */
export interface TrafficRoute {
  operation: ConnectTrafficOperation;
  id?: string;
}

/** The read-only operations on an instance's flows, modules and integrations that preflight makes. */
export const CONTACT_FLOW_OPERATIONS = [
  'ListContactFlows',
  'DescribeContactFlow',
  'ListContactFlowModules',
  'DescribeContactFlowModule',
  'ListLambdaFunctions',
  'ListBots',
] as const;
export type ContactFlowOperation = (typeof CONTACT_FLOW_OPERATIONS)[number];

/** An instance operation: the percent-decoded instance id (or ARN), and the flow or module id when one is named. */
export interface FlowRoute {
  operation: ContactFlowOperation;
  instanceId: string;
  id?: string;
}

/** The operation a request names. */
export type Route = TrafficRoute | FlowRoute;

/** Every operation the simulator serves. */
export type ConnectOperation = ConnectTrafficOperation | ContactFlowOperation;

export function isFlowRoute(route: Route): route is FlowRoute {
  return (CONTACT_FLOW_OPERATIONS as readonly string[]).includes(route.operation);
}

// GET paths of the instance operations, as the SDK model writes them (`{InstanceId}` and the id each one segment).
const FLOW_PATHS: ReadonlyArray<readonly [ContactFlowOperation, RegExp]> = [
  ['ListContactFlows', /^\/contact-flows-summary\/([^/]+)$/],
  ['DescribeContactFlow', /^\/contact-flows\/([^/]+)\/([^/]+)$/],
  ['ListContactFlowModules', /^\/contact-flow-modules-summary\/([^/]+)$/],
  ['DescribeContactFlowModule', /^\/contact-flow-modules\/([^/]+)\/([^/]+)$/],
  ['ListLambdaFunctions', /^\/instance\/([^/]+)\/lambda-functions$/],
  ['ListBots', /^\/instance\/([^/]+)\/bots$/],
];

/** What one request is answered with. */
export interface Outcome {
  status: number;
  body: unknown;
  errorType?: string;
}

/**
 * An error the way restJson1 services send it: the type in `x-amzn-errortype`, the text in the body.
 * The modeled member is `Message` (what botocore and the CLI read); JS SDK v3 reads `message` first
 * and folds either into `error.message`, so both keys are sent.
 */
export function error(status: number, errorType: string, message: string): Outcome {
  return { status, errorType, body: { message, Message: message } };
}

/** The operation a method and path name (the id percent-decoded), or undefined for any other request. */
export function matchRoute(method: string, pathname: string): Route | undefined {
  if (method === 'GET' && pathname === '/traffic-distribution-groups') {
    return { operation: 'ListTrafficDistributionGroups' };
  }
  for (const [operation, pattern] of method === 'GET' ? FLOW_PATHS : []) {
    const match = pattern.exec(pathname);
    if (!match) continue;
    const [, instanceId = '', id] = match;
    return { operation, instanceId: decodeSegment(instanceId), ...(id === undefined ? {} : { id: decodeSegment(id) }) };
  }
  const parts = pathname.split('/');
  if (parts.length !== 3 || parts[0] !== '' || !parts[2]) return undefined;
  const id = decodeSegment(parts[2]);
  if (parts[1] === 'traffic-distribution') {
    if (method === 'PUT') return { operation: 'UpdateTrafficDistribution', id };
    if (method === 'GET') return { operation: 'GetTrafficDistribution', id };
  }
  if (parts[1] === 'traffic-distribution-group' && method === 'GET') {
    return { operation: 'DescribeTrafficDistributionGroup', id };
  }
  return undefined;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Opaque to callers: the offset of the next page of a List operation. */
export function encodePageToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64url');
}

/** The offset a page token carries; undefined for a token this simulator did not issue. */
export function decodePageToken(token: string): number | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { offset?: unknown };
    return typeof parsed.offset === 'number' && Number.isInteger(parsed.offset) && parsed.offset >= 0
      ? parsed.offset
      : undefined;
  } catch {
    return undefined;
  }
}
