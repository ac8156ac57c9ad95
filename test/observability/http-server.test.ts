import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HealthProbes, startHttpServer } from '../../src/observability/http-server.ts';
import type { RunningHttpServer } from '../../src/observability/http-server.ts';
import { ControllerMetrics } from '../../src/observability/metrics.ts';
import { FileStore } from '../../src/store/file-store.ts';
import { startHarness } from '../helpers/controller-harness.ts';
import type { Harness } from '../helpers/controller-harness.ts';
import { eventually } from '../helpers/eventually.ts';
import { parsePrometheusText } from './prometheus-text.ts';

describe('health probes', () => {
  it('counts a controller whose receive loop has not started (starting, standby) as live but not ready', async () => {
    // Prepare
    const probes = new HealthProbes({ receiveTimes: () => ({ lastAttemptAt: undefined, lastSuccessAt: undefined }) });

    // Act
    const live = probes.liveness();
    const ready = await probes.readiness();

    // Assess
    expect(live.ok).toBe(true);
    expect(ready.ok).toBe(false);
    expect(ready.checks.receive).toEqual({ ok: false, detail: 'no successful receive yet' });
  });

  it('is not live once the receive loop has not finished a receive within the liveness window', () => {
    // Prepare
    let now = 1_000_000;
    const probes = new HealthProbes({
      receiveTimes: () => ({ lastAttemptAt: 1_000_000, lastSuccessAt: 1_000_000 }),
      now: () => now,
      livenessWindowMs: 120_000,
    });
    const before = probes.liveness().ok;

    // Act
    now += 120_001;

    // Assess
    expect(before).toBe(true);
    expect(probes.liveness()).toMatchObject({ ok: false, checks: { receiveLoop: { ok: false } } });
  });

  it('is live but not ready while receives keep failing', async () => {
    // Prepare
    const now = 1_000_000;
    const probes = new HealthProbes({
      receiveTimes: () => ({ lastAttemptAt: now - 1_000, lastSuccessAt: now - 60_001 }),
      now: () => now,
    });

    // Act
    const ready = await probes.readiness();

    // Assess
    expect(probes.liveness().ok).toBe(true);
    expect(ready.ok).toBe(false);
    expect(ready.checks.receive?.detail).toMatch(/no successful receive for 60s/);
  });
});

describe('the HTTP endpoints', () => {
  let dir: string;
  let server: RunningHttpServer | undefined;
  let metrics: ControllerMetrics;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cf-http-'));
    metrics = new ControllerMetrics();
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  async function serve(storePath: string): Promise<RunningHttpServer> {
    const store = new FileStore({ path: storePath, writer: 'test' });
    const probes = new HealthProbes({
      receiveTimes: () => metrics.receiveTimes(),
      probeStore: (signal) => store.probe(signal),
    });
    server = await startHttpServer({ port: 0, metrics, probes });
    return server;
  }

  it('listens on 127.0.0.1 by default and gives back the port it bound', async () => {
    // Act
    const s = await serve(join(dir, 'state.json'));

    // Assess
    expect(s.host).toBe('127.0.0.1');
    expect(s.port).toBeGreaterThan(0);
    expect(s.url).toBe(`http://127.0.0.1:${s.port}`);
  });

  it('answers /readyz 503 before the first receive and 200 after it', async () => {
    // Prepare
    const s = await serve(join(dir, 'state.json'));

    // Act
    const before = await fetch(`${s.url}/readyz`);
    const beforeBody = (await before.json()) as { checks: Record<string, { ok: boolean }> };
    metrics.receiveSucceeded();
    const after = await fetch(`${s.url}/readyz`);

    // Assess
    expect(before.status).toBe(503);
    expect(beforeBody.checks).toMatchObject({ config: { ok: true }, store: { ok: true }, receive: { ok: false } });
    expect(after.status).toBe(200);
    expect(await after.json()).toMatchObject({ status: 'ok', ok: true });
  });

  it('answers /readyz 503 naming the store when the store cannot be written', async () => {
    // Prepare: the state file's directory is a regular file, so nothing can be created in it.
    await writeFile(join(dir, 'not-a-directory'), 'x');
    const s = await serve(join(dir, 'not-a-directory', 'state.json'));
    metrics.receiveSucceeded();

    // Act
    const response = await fetch(`${s.url}/readyz`);
    const body = (await response.json()) as { checks: Record<string, { ok: boolean; detail: string }> };

    // Assess
    expect(response.status).toBe(503);
    expect(body.checks.store?.ok).toBe(false);
    expect(body.checks.receive?.ok).toBe(true);
  });

  it('answers /healthz 200 with the checks, and HEAD without a body', async () => {
    // Prepare
    const s = await serve(join(dir, 'state.json'));

    // Act
    const get = await fetch(`${s.url}/healthz`);
    const head = await fetch(`${s.url}/healthz`, { method: 'HEAD' });

    // Assess
    expect(get.status).toBe(200);
    expect(await get.json()).toMatchObject({
      status: 'ok',
      checks: { process: { ok: true }, receiveLoop: { ok: true } },
    });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('serves /metrics in the Prometheus text format', async () => {
    // Prepare
    const s = await serve(join(dir, 'state.json'));
    metrics.message('applied', 'sns-envelope');

    // Act
    const response = await fetch(`${s.url}/metrics`);
    const text = parsePrometheusText(await response.text());

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(text.value('connect_failover_messages_total', { shape: 'sns-envelope', outcome: 'applied' })).toBe(1);
  });

  it('answers 404 for other paths and 405 for other methods', async () => {
    // Prepare
    const s = await serve(join(dir, 'state.json'));

    // Act
    const missing = await fetch(`${s.url}/status`);
    const post = await fetch(`${s.url}/metrics`, { method: 'POST' });

    // Assess
    expect(missing.status).toBe(404);
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('refuses to start on a port already taken, with the listen error', async () => {
    // Prepare
    const first = await serve(join(dir, 'state.json'));
    const probes = new HealthProbes({ receiveTimes: () => metrics.receiveTimes() });

    // Act
    const second = startHttpServer({ port: first.port, metrics, probes });

    // Assess
    await expect(second).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});

describe('the endpoints of a running controller', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function startWithHttp(): Promise<{ h: Harness; url: string }> {
    const harness = await startHarness({ config: { http: { host: '127.0.0.1', port: 0 } } });
    h = harness;
    let url: string | undefined;
    await harness.start({ heartbeatIntervalMs: 0, hooks: { httpListening: (s) => (url = s.url) } });
    if (url === undefined) throw new Error('the HTTP endpoints did not start');
    return { h: harness, url };
  }

  async function scrape(url: string) {
    return parsePrometheusText(await (await fetch(`${url}/metrics`)).text());
  }

  it('becomes ready once receiving, and the metrics follow a failover', async () => {
    // Prepare
    const { h: harness, url } = await startWithHttp();
    await eventually(async () => (await fetch(`${url}/readyz`)).status === 200, { what: '/readyz 200' });
    const before = await scrape(url);

    // Act
    const sentAfter = Date.now();
    await harness.setAlarm('connect-primary-outage', 'ALARM');
    await harness.waitForPrimary(0);
    const after = await eventually(
      async () => {
        const text = await scrape(url);
        return text.value('connect_failover_decision_to_verified_shift_seconds_count') === 1 ? text : undefined;
      },
      { what: 'the verified shift in the metrics' },
    );

    // Assess
    expect(before.value('connect_failover_health_state', { state: 'healthy' })).toBe(1);
    expect(before.value('connect_failover_actual_primary_percent')).toBe(100);
    expect(after.value('connect_failover_health_state', { state: 'healthy' })).toBe(0);
    expect(after.value('connect_failover_health_state', { state: 'failedOver' })).toBe(1);
    expect(
      after.value('connect_failover_transitions_total', {
        region: 'health',
        from: 'healthy',
        to: 'failedOver',
        trigger: 'automatic',
      }),
    ).toBe(1);
    expect(after.value('connect_failover_shifts_total', { outcome: 'verified' })).toBe(1);
    expect(
      after.value('connect_failover_connect_calls_total', {
        operation: 'UpdateTrafficDistribution',
        region: 'us-west-2',
        status: '200',
      }),
    ).toBe(1);
    expect(after.value('connect_failover_messages_total', { shape: 'eventbridge', outcome: 'applied' })).toBe(1);
    expect(after.value('connect_failover_receive_to_decision_seconds_count')).toBe(1);
    expect(after.value('connect_failover_desired_primary_percent')).toBe(0);
    expect(after.value('connect_failover_actual_primary_percent')).toBe(0);
    expect(after.value('connect_failover_drift_percent')).toBe(0);
    // The alarm's message was sent after `sentAfter` and read before this scrape: its age lies in between.
    const age = after.value('connect_failover_newest_event_age_seconds');
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThanOrEqual((Date.now() - sentAfter) / 1000);
  });

  it('stops listening when the controller stops', async () => {
    // Prepare
    const { h: harness, url } = await startWithHttp();

    // Act
    await harness.stopController();

    // Assess
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});
