/**
 * Where the controller acts: the Regions, the traffic distribution group, the replica instance and the
 * queue, with who may send alarm events to it.
 */
import { z } from 'zod';
import {
  CONNECT_INSTANCE_ID_PATTERN,
  CONNECT_TDG_ID_PATTERN,
  parseConnectInstanceArn,
  parseTrafficDistributionGroupArn,
  REGION_CODE_PATTERN,
} from '../aws/identifiers.ts';
import { expecting } from './schema-common.ts';
import type { ConnectInstanceRef, TrafficDistributionGroupRef } from './types.ts';

const QUEUE_PATH_PATTERN = /^\/[^/]+\/[^/]+$/;

const regionError = expecting('a Region code like us-east-1');
export const regionCode = z.string({ error: regionError }).regex(REGION_CODE_PATTERN, { error: regionError });

const tdgError = expecting(
  'a traffic distribution group ARN like arn:aws:connect:<region>:<account>:traffic-distribution-group/<uuid>, or its id',
);
export const trafficDistributionGroup = z
  .string({ error: tdgError })
  .regex(CONNECT_TDG_ID_PATTERN, { error: tdgError })
  .transform(toTrafficDistributionGroupRef);

function toTrafficDistributionGroupRef(text: string): TrafficDistributionGroupRef {
  const arn = parseTrafficDistributionGroupArn(text);
  if (arn === undefined) return { id: text, arn: undefined, region: undefined };
  return { id: arn.id, arn: text, region: arn.region };
}

const instanceError = expecting(
  'a Connect instance ARN like arn:aws:connect:<region>:<account>:instance/<uuid>, or its id',
);
export const connectInstance = z
  .string({ error: instanceError })
  .regex(CONNECT_INSTANCE_ID_PATTERN, { error: instanceError })
  .transform(toConnectInstanceRef);

function toConnectInstanceRef(text: string): ConnectInstanceRef {
  const arn = parseConnectInstanceArn(text);
  if (arn === undefined) return { id: text, arn: undefined, region: undefined };
  return { id: arn.id, arn: text, region: arn.region };
}

const queueUrlError = expecting('a queue URL like https://sqs.us-east-1.amazonaws.com/111122223333/my-queue');
export const queueUrl = z.string({ error: queueUrlError }).refine(isQueueUrl, { error: queueUrlError });

function isQueueUrl(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  return (
    (url.protocol === 'https:' || url.protocol === 'http:') &&
    QUEUE_PATH_PATTERN.test(url.pathname) &&
    url.search === '' &&
    url.hash === '' &&
    url.username === '' &&
    url.password === ''
  );
}

const senderError = expecting(
  'a SenderId or IAM unique id like AROAEXAMPLEID (a role, every session), AROAEXAMPLEID:session, AIDAEXAMPLEID or 111122223333',
);
/** What SQS reports as SenderId: an account id, or an IAM unique id with an assumed role's session name. */
const SENDER_PATTERN = /^[A-Z0-9]{12,128}(?::[\w+=,.@-]{1,64})?$/;
export const senderList = z.array(z.string({ error: senderError }).regex(SENDER_PATTERN, { error: senderError }), {
  error: expecting('a list of SenderIds or IAM unique ids'),
});

export const regionsShape = {
  primary: regionCode,
  replica: regionCode,
  // Optional: the replica instance whose flows preflight checks for calls into the primary Region.
  replicaInstance: connectInstance.optional(),
};
export const alarmSendersShape = {
  allow: senderList
    .min(1, { error: 'is empty, which would refuse every alarm event; leave allow out to admit any sender' })
    .optional(),
  deny: senderList.optional(),
};
export const queueShape = {
  url: queueUrl,
  region: regionCode.optional(),
  // Who may send alarm events: alarm events and operator commands share the queue (docs/runbook.md).
  alarmSenders: z
    .strictObject(alarmSendersShape, { error: expecting('a mapping with allow and/or deny lists of SenderIds') })
    .optional(),
};
