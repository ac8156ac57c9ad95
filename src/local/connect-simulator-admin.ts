import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { CONTACT_FLOW_TYPES } from './connect-contact-flows.ts';
import { parseFaultPlan } from './connect-faults.ts';
import { TDG_STATUSES } from './connect-traffic-group.ts';
import type { ConnectSimulator } from './connect-simulator-types.ts';
import { readBodyText, sendJson } from './http-io.ts';
import { SimulatorInputError } from './simulator-errors.ts';

const splitSchema = z.record(z.string(), z.number());
const splitBodySchema = z.strictObject({ telephony: splitSchema.optional(), agents: splitSchema.optional() });
const statusBodySchema = z.strictObject({ status: z.enum(TDG_STATUSES) });
const flowSchema = z.strictObject({
  id: z.string().min(1).optional(),
  name: z.string().min(1),
  type: z.enum(CONTACT_FLOW_TYPES).optional(),
  state: z.enum(['ACTIVE', 'ARCHIVED']).optional(),
  status: z.enum(['PUBLISHED', 'SAVED']).optional(),
  description: z.string().optional(),
  content: z.unknown(),
});
const flowSetBodySchema = z.strictObject({
  region: z.string().min(1),
  instanceId: z.string().min(1).optional(),
  flows: z.array(flowSchema).optional(),
  modules: z.array(flowSchema.omit({ type: true })).optional(),
  lambdaFunctions: z.array(z.string()).optional(),
  lexV2Aliases: z.array(z.string()).optional(),
  lexV1Bots: z.array(z.strictObject({ name: z.string(), region: z.string() })).optional(),
});

/**
 * The simulator's admin API, for processes that cannot hold the simulator object (the local stack's
 * clients, game-day scripts). JSON in and out, no SigV4:
 * - `GET /_simulator/state`: group, Regions, status, split, armed faults;
 * - `GET /_simulator/requests`, `GET /_simulator/writes`: the records of `sim.requests`, `sim.writes`;
 * - `GET|POST|DELETE /_simulator/faults`: read, apply a `FaultPlan` body, clear;
 * - `POST /_simulator/split` `{telephony?, agents?}`: drift by hand; `POST /_simulator/status` `{status}`;
 * - `GET /_simulator/contact-flows?region=R[&instanceId=I]`: what an instance holds there;
 *   `POST /_simulator/contact-flows` `{region, instanceId?, flows?, modules?, lambdaFunctions?, lexV2Aliases?,
 *   lexV1Bots?}`: replace it (see `InstanceFlowSet`).
 * Bad input: 400 `{message}`; unknown path: 404.
 */
export async function handleAdminRequest(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  sim: ConnectSimulator,
): Promise<void> {
  const action = `${req.method ?? 'GET'} ${url.pathname.slice('/_simulator/'.length)}`;
  try {
    switch (action) {
      case 'GET state':
        sendJson(res, 200, describe(sim));
        return;
      case 'GET requests':
        sendJson(res, 200, sim.requests);
        return;
      case 'GET writes':
        sendJson(res, 200, sim.writes);
        return;
      case 'GET faults':
        sendJson(res, 200, sim.faults.snapshot());
        return;
      case 'POST faults':
        sim.faults.apply(parseFaultPlan(await readJson(req)));
        sendJson(res, 200, sim.faults.snapshot());
        return;
      case 'DELETE faults':
        sim.faults.clear();
        sendJson(res, 200, sim.faults.snapshot());
        return;
      case 'POST split':
        sim.setSplit(parseBody(splitBodySchema, await readJson(req)));
        sendJson(res, 200, describe(sim));
        return;
      case 'POST status':
        sim.setStatus(parseBody(statusBodySchema, await readJson(req)).status);
        sendJson(res, 200, describe(sim));
        return;
      case 'GET contact-flows': {
        const region = url.searchParams.get('region') ?? '';
        const held = sim.contactFlows.snapshot(region, url.searchParams.get('instanceId') ?? undefined);
        if (held) sendJson(res, 200, held);
        else sendJson(res, 404, { message: `No instance there: region=${region}` });
        return;
      }
      case 'POST contact-flows': {
        const { region, instanceId, ...set } = parseBody(flowSetBodySchema, await readJson(req));
        sim.contactFlows.load(region, set, instanceId);
        sendJson(res, 200, sim.contactFlows.snapshot(region, instanceId));
        return;
      }
      default:
        sendJson(res, 404, { message: `No simulator admin action ${action}` });
    }
  } catch (err) {
    if (err instanceof SimulatorInputError) {
      sendJson(res, 400, { message: err.message });
      return;
    }
    throw err;
  }
}

function describe(sim: ConnectSimulator) {
  return {
    endpoint: sim.endpoint,
    accountId: sim.accountId,
    homeRegion: sim.homeRegion,
    otherRegion: sim.otherRegion,
    tdgId: sim.tdgId,
    tdgArn: sim.tdgArn,
    instanceArn: sim.instanceArn,
    ...sim.state(),
    faults: sim.faults.snapshot(),
    requestCount: sim.requests.length,
    writeCount: sim.writes.length,
  };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await readBodyText(req);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new SimulatorInputError('the request body must be JSON');
  }
}

function parseBody<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new SimulatorInputError(
    parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '),
  );
}
