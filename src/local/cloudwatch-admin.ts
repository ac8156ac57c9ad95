/**
 * The CloudWatch simulator's admin API under `/_simulator/`, for processes that cannot hold the simulator
 * object (game-day scripts, the local stack's clients). JSON in and out, no SigV4, ISO timestamps:
 * - `GET /_simulator/alarms[?region=]`: the alarms; `POST /_simulator/alarms` an `AlarmSpec`: create one;
 * - `POST /_simulator/alarms/state` `{region, name, state, reason?, reasonData?}`: set a state;
 * - `GET /_simulator/metrics[?region=&namespace=]`: the metric data received.
 * Bad input: 400; unknown alarm: 404; duplicate: 409; unknown route: 404.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AlarmValue } from '../config/types.ts';
import { copyAlarm } from './cloudwatch-alarm-store.ts';
import type { CloudWatchState } from './cloudwatch-state.ts';
import type { AlarmSpec, SimulatedAlarm } from './cloudwatch-types.ts';
import { parseJson, readWireBody, sendWireJson, WireError } from './cloudwatch-wire.ts';
import type { Json } from './cloudwatch-wire.ts';
import { DuplicateAlarmError, SimulatorInputError, UnknownAlarmError } from './simulator-errors.ts';

/** Answers one admin request. */
export async function handleAdminRequest(
  state: CloudWatchState,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const route = `${req.method ?? ''} ${url.pathname.replace(/\/+$/, '')}`;
  const region = url.searchParams.get('region') ?? undefined;
  const { store } = state;
  try {
    switch (route) {
      case 'GET /_simulator/alarms':
        return sendWireJson(res, 200, {
          alarms: (region === undefined ? store.all() : store.inRegion(region)).map(adminAlarm),
        });
      case 'POST /_simulator/alarms': {
        const spec = parseJson(await readWireBody(req, req.headers['content-encoding'])) as unknown as AlarmSpec;
        return sendWireJson(res, 201, { alarm: adminAlarm(state.addAlarm(spec)) });
      }
      case 'POST /_simulator/alarms/state': {
        const body = parseJson(await readWireBody(req, req.headers['content-encoding']));
        const { region: r, name, state: value, reason, reasonData } = body as Record<string, unknown>;
        if (typeof r !== 'string' || typeof name !== 'string' || typeof value !== 'string') {
          throw new SimulatorInputError('body must be {"region", "name", "state", "reason"?, "reasonData"?}');
        }
        const change = await state.setStateByHook(
          r,
          name,
          value as AlarmValue,
          asOptionalString(reason),
          asOptionalString(reasonData),
        );
        const alarm = store.get(r, name);
        return sendWireJson(res, 200, {
          changed: change !== undefined,
          alarm: alarm === undefined ? null : adminAlarm(alarm),
        });
      }
      case 'GET /_simulator/metrics': {
        const namespace = url.searchParams.get('namespace') ?? undefined;
        const data = state.metricData.filter(
          (d) =>
            (region === undefined || d.region === region) && (namespace === undefined || d.namespace === namespace),
        );
        return sendWireJson(res, 200, {
          metricData: data.map((d) => ({
            ...d,
            timestamp: new Date(d.timestamp).toISOString(),
            receivedAt: new Date(d.receivedAt).toISOString(),
          })),
        });
      }
      default:
        return sendWireJson(res, 404, { error: 'NotFound', message: `no admin route ${route}` });
    }
  } catch (error) {
    if (error instanceof SimulatorInputError) {
      const status = error instanceof UnknownAlarmError ? 404 : error instanceof DuplicateAlarmError ? 409 : 400;
      return sendWireJson(res, status, { error: error.name, message: error.message });
    }
    if (error instanceof WireError)
      return sendWireJson(res, error.status, { error: error.code, message: error.message });
    throw error;
  }
}

function asOptionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Admin view of an alarm: ISO timestamps, for people and shell scripts. */
function adminAlarm(alarm: SimulatedAlarm): Json {
  return {
    ...copyAlarm(alarm),
    configurationUpdatedAt: new Date(alarm.configurationUpdatedAt).toISOString(),
    stateTransitionedAt: new Date(alarm.stateTransitionedAt).toISOString(),
    state: { ...alarm.state, timestamp: new Date(alarm.state.timestamp).toISOString() },
  };
}
