/**
 * What runs beside the acting controller without being part of it: metrics, the HTTP endpoints, the
 * CloudWatch heartbeat and preflight-at-start. Standbys run the endpoints too.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { clientOptions } from '../aws/client-settings.ts';
import type { Clock } from '../clock.ts';
import { policyOf } from '../controller/controller.ts';
import { HEARTBEAT_INTERVAL_MS, runCloudWatchHeartbeat } from '../observability/cloudwatch-heartbeat.ts';
import { HealthProbes, startHttpServer } from '../observability/http-server.ts';
import type { RunningHttpServer } from '../observability/http-server.ts';
import { ControllerMetrics } from '../observability/metrics.ts';
import { preflightAtStart } from '../preflight/at-start.ts';
import type { StateStore } from '../store/store.ts';
import { instrumentController } from './controller-instrumentation.ts';
import type { ControllerInstrumentation, InstrumentedHooks } from './controller-instrumentation.ts';
import type { AwsClientSettings } from '../aws/client-settings.ts';
import type { Config } from '../config/types.ts';
import type { Logger } from '../observability/logger.ts';

/** The part of `RunControllerOptions` these need (same meanings and defaults). */
export interface OperabilityOptions {
  config: Config;
  logger: Logger;
  hooks?: InstrumentedHooks & {
    httpListening?(server: { host: string; port: number; url: string }): void;
  };
  heartbeatIntervalMs?: number;
  preflight?: boolean;
  aws?: AwsClientSettings;
  cloudwatch?: (region: string) => CloudWatchClient;
}

/**
 * Metrics, the HTTP endpoints, the CloudWatch heartbeat and preflight-at-start, kept apart from the
 * controller's own assembly. None of them can stop the controller: each failure is logged and counted.
 */
export function operability(options: OperabilityOptions, store: StateStore, clock: Clock, dryRun: boolean) {
  const { config, logger } = options;
  const metrics = new ControllerMetrics();
  const instrument: ControllerInstrumentation = instrumentController(metrics, policyOf(config), () => clock.now());
  const probes = new HealthProbes({
    receiveTimes: () => metrics.receiveTimes(),
    probeStore: (signal) => store.probe(signal),
  });
  const hooks: InstrumentedHooks = instrument.hooks(options.hooks);
  // Published in the replica Region: the alarms on it must still evaluate while the primary Region fails.
  const cloudwatch =
    options.cloudwatch?.(config.regions.replica) ??
    new CloudWatchClient({ region: config.regions.replica, ...clientOptions(options.aws, 'cloudwatch') });
  let server: RunningHttpServer | undefined;
  let preflight: Promise<void> | undefined;
  return {
    hooks,
    instrument,
    /** Starts the endpoints before the lease, so a standby answers too; a listen failure is logged, not fatal. */
    async open(): Promise<void> {
      if (!config.http) return;
      try {
        server = await startHttpServer({
          ...config.http,
          metrics,
          probes,
          onError: (error) => logger.warn({ err: error }, 'HTTP endpoint failed'),
        });
        logger.info({ url: server.url }, 'HTTP endpoints listening: /healthz /readyz /metrics');
        options.hooks?.httpListening?.({ host: server.host, port: server.port, url: server.url });
      } catch (error) {
        logger.error(
          { err: error, ...config.http },
          'HTTP endpoints could not start; the controller runs without them',
        );
      }
    },
    /**
     * Preflight in the background once the controller runs: after start-up reconciliation, so its reads
     * never delay or race the controller's own, and never before a failover the controller must make.
     */
    preflight(signal: AbortSignal): void {
      if (!(options.preflight ?? true)) return;
      preflight = preflightAtStart({
        config,
        store,
        dryRun,
        logger,
        signal,
        clock,
        aws: options.aws,
        onReport: (report) => metrics.preflight(report.summary),
      });
    },
    heartbeat(signal: AbortSignal): Promise<void> {
      const intervalMs = options.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS;
      if (intervalMs === 0) return Promise.resolve();
      return runCloudWatchHeartbeat(
        {
          client: cloudwatch,
          dimensions: { Controller: config.trafficDistributionGroup.id },
          intervalMs,
          clock,
          logger,
          read: () => ({ alive: probes.liveness().ok, ...metrics.current() }),
          onResult: (outcome) => metrics.heartbeat(outcome),
        },
        signal,
      );
    },
    async close(): Promise<void> {
      await preflight;
      await server?.close();
      cloudwatch.destroy();
    },
  };
}
