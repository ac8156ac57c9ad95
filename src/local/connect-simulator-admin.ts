import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { parseFaultPlan } from './connect-faults.ts';
import { TDG_STATUSES } from './connect-traffic-group.ts';
import type { ConnectSimulator } from './connect-simulator.ts';
import { readBodyText, sendJson } from './http-io.ts';
import { SimulatorInputError } from './simulator-errors.ts';

const splitSchema = z.record(z.string(), z.number());
const splitBodySchema = z.strictObject({ telephony: splitSchema.optional(), agents: splitSchema.optional() });
const statusBodySchema = z.strictObject({ status: z.enum(TDG_STATUSES) });

/**
 * The simulator's admin API, for processes that cannot hold the simulator object (the local stack's
 * clients, game-day scripts). JSON in and out, no SigV4:
 * - `GET /_simulator/state`: group, Regions, status, split, armed faults;
 * - `GET /_simulator/requests`, `GET /_simulator/writes`: the records of `sim.requests`, `sim.writes`;
 * - `GET|POST|DELETE /_simulator/faults`: read, apply a `FaultPlan` body, clear;
 * - `POST /_simulator/split` `{telephony?, agents?}`: drift by hand; `POST /_simulator/status` `{status}`.
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
