/**
 * A CloudWatch simulator speaking the SDK's wire protocol, for tests, the local stack and game days.
 * This file starts it and routes requests; the parts live by responsibility:
 * - cloudwatch-types.ts: the public shapes (re-exported here);
 * - cloudwatch-wire.ts: AWS JSON 1.0, query-compatible errors, request fields, bodies;
 * - cloudwatch-operations.ts: DescribeAlarms, DescribeAlarmHistory, SetAlarmState, PutMetricData;
 * - cloudwatch-state.ts: the account's alarms, history, metric data, transitions and scripted faults;
 * - cloudwatch-alarm-store.ts, cloudwatch-alarm-wire.ts: alarms kept per Region, and as answered;
 * - cloudwatch-admin.ts: the `/_simulator/` admin API.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { readSigV4Scope } from './sigv4-scope.ts';
import { handleAdminRequest } from './cloudwatch-admin.ts';
import { copyAlarm } from './cloudwatch-alarm-store.ts';
import { OPERATIONS } from './cloudwatch-operations.ts';
import { CloudWatchState } from './cloudwatch-state.ts';
import type { CloudWatchSimulator, CloudWatchSimulatorOptions, RecordedCall } from './cloudwatch-types.ts';
import {
  defaultFaultMessage,
  frameworkError,
  parseJson,
  queryError,
  readWireBody,
  sendWireAnswer,
  sendWireJson,
  TARGET_PREFIX,
  WireError,
} from './cloudwatch-wire.ts';
import { closeServer, listen } from './http-io.ts';

export type {
  AlarmSpec,
  CloudWatchFaults,
  CloudWatchSimulator,
  CloudWatchSimulatorOptions,
  RecordedCall,
  RecordedMetricDatum,
  SimulatedAlarm,
} from './cloudwatch-types.ts';
export { DuplicateAlarmError, UnknownAlarmError } from './simulator-errors.ts';

/**
 * Starts a CloudWatch simulator speaking the SDK's wire protocol (AWS JSON 1.0, query-compatible) for
 * DescribeAlarms, DescribeAlarmHistory, SetAlarmState and PutMetricData, plus admin endpoints under `/_simulator/`.
 * SigV4 signatures are not verified; the credential scope only says which Region is addressed.
 */
export async function startCloudWatchSimulator(options: CloudWatchSimulatorOptions = {}): Promise<CloudWatchSimulator> {
  const state = new CloudWatchState({
    accountId: options.accountId ?? '000000000000',
    now: options.now ?? Date.now,
    sink: options.sink,
    historyLimit: options.historyLimit,
  });
  for (const spec of options.alarms ?? []) state.addAlarm(spec);

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const handler = url.pathname.startsWith('/_simulator/')
      ? handleAdminRequest(state, req, res, url)
      : handleApi(state, req, res);
    handler.catch((error: unknown) => {
      if (!res.headersSent) {
        sendWireJson(res, 500, { __type: 'com.amazon.coral.service#InternalFailure', message: String(error) });
      } else {
        res.destroy();
      }
    });
  });
  const { port, endpoint } = await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');

  return {
    endpoint,
    port,
    accountId: state.accountId,
    calls: state.calls,
    metricData: state.metricData,
    transitions: state.transitions,
    sinkErrors: state.sinkErrors,
    faults: state.faults,
    setAlarmState: (region, name, value, reason, reasonData) =>
      state.setStateByHook(region, name, value, reason, reasonData),
    addAlarm: (spec) => state.addAlarm(spec),
    alarms: (region) => (region === undefined ? state.store.all() : state.store.inRegion(region)).map(copyAlarm),
    async stop() {
      const deliveries = state.stopDeliveries();
      await closeServer(server);
      await deliveries;
    },
  };
}

/** Answers one API request, recording it; every failure becomes a wire error, as CloudWatch answers it. */
async function handleApi(state: CloudWatchState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const target = req.headers['x-amz-target'];
  const operation =
    typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
  const region = readSigV4Scope(req.headers)?.region;
  const encoding = req.headers['content-encoding'];
  const call: RecordedCall = {
    operation: operation ?? String(target ?? ''),
    region,
    at: state.now(),
    contentEncoding: encoding,
    status: 200,
  };
  state.calls.push(call);
  try {
    if (req.method !== 'POST' || operation === undefined) {
      throw frameworkError(
        400,
        'UnknownOperationException',
        'This endpoint speaks AWS JSON 1.0: POST / with X-Amz-Target: GraniteServiceVersion20100801.<Operation>.',
      );
    }
    const raw = await readWireBody(req, encoding);
    if (region === undefined) {
      throw queryError(
        403,
        'MissingAuthenticationToken',
        'Request is missing Authentication Token (a SigV4 Authorization header).',
      );
    }
    await state.holdFor(operation);
    const fault = state.takeFault(operation);
    if (fault !== undefined) throw queryError(fault.status, fault.code, defaultFaultMessage(fault.code));
    const body = parseJson(raw);
    const perform = Object.hasOwn(OPERATIONS, operation) ? OPERATIONS[operation] : undefined;
    // Query-compatible services name unknown actions this way; the SDK surfaces the name as-is.
    if (perform === undefined)
      throw frameworkError(
        400,
        'UnknownOperationException',
        `Operation ${operation} is not supported by the CloudWatch simulator.`,
      );
    const answer = await perform(state, region, body);
    call.status = 200;
    sendWireAnswer(res, 200, answer);
  } catch (caught) {
    const error =
      caught instanceof WireError
        ? caught
        : frameworkError(500, 'InternalFailure', `Simulator failure: ${String(caught)}`);
    call.status = error.status;
    sendWireAnswer(res, error.status, { __type: error.type, message: error.message }, error);
  }
}
