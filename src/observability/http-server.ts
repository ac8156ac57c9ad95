/**
 * The controller's HTTP endpoints (config `http`; off when absent): `/healthz` (liveness), `/readyz`
 * (readiness) and `/metrics` (Prometheus text). Bound to 127.0.0.1 unless configured otherwise: the
 * endpoints carry no secrets but also no authentication, so exposing them is a deliberate choice.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ControllerMetrics, ReceiveTimes } from './metrics.ts';

/** Default bind address: loopback only. */
export const DEFAULT_HTTP_HOST = '127.0.0.1';

/** One check behind `/healthz` or `/readyz`. */
export interface ProbeCheck {
  ok: boolean;
  detail: string;
}

/** The body of `/healthz` and `/readyz`. */
export interface ProbeResult {
  ok: boolean;
  checks: Record<string, ProbeCheck>;
}

export interface HealthProbesOptions {
  /** When the receive loop last turned and last succeeded (usually `metrics.receiveTimes()`). */
  receiveTimes: () => ReceiveTimes;
  /** Checks the store can be read and written (`store.probe`); omitted: the store check is skipped. */
  probeStore?: (signal: AbortSignal) => Promise<void>;
  /** Wall-clock epoch ms. Default `Date.now`. */
  now?: () => number;
  /**
   * Liveness: the longest the receive loop may go without finishing a receive once started, in ms.
   * Default 120000: a 20 s long poll plus its 10 s timeout margin plus a 30 s maximum backoff, doubled.
   */
  livenessWindowMs?: number;
  /** Readiness: the longest since the last successful receive, in ms. Default 60000 (three long polls). */
  readinessWindowMs?: number;
  /** Longest a store probe may take before readiness fails, in ms. Default 5000. */
  storeProbeTimeoutMs?: number;
}

/**
 * Liveness and readiness, from what the receive loop and the store say.
 *
 * Live: the process answers, and the receive loop, once started, finished a receive (successful or not)
 * within the liveness window. Before the loop starts (start-up reconciliation, standby waiting for the
 * lease) the process counts as live: restarting a standby would not help anyone.
 * Ready: the config is loaded (it is, or this server would not exist), the store can be read and
 * written, and a receive succeeded within the readiness window. A standby is therefore not ready.
 */
export class HealthProbes {
  readonly #options: HealthProbesOptions;
  readonly #now: () => number;
  #storeProbe: Promise<ProbeCheck> | undefined;

  constructor(options: HealthProbesOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  liveness(): ProbeResult {
    const { lastAttemptAt } = this.#options.receiveTimes();
    const window = this.#options.livenessWindowMs ?? 120_000;
    const loop: ProbeCheck =
      lastAttemptAt === undefined
        ? { ok: true, detail: 'receive loop not started yet (starting, or standby waiting for the lease)' }
        : this.#now() - lastAttemptAt <= window
          ? { ok: true, detail: `last receive ${ago(this.#now() - lastAttemptAt)} ago` }
          : {
              ok: false,
              detail: `no receive finished for ${ago(this.#now() - lastAttemptAt)} (limit ${ago(window)}): the receive loop is stuck`,
            };
    return { ok: loop.ok, checks: { process: { ok: true, detail: `pid ${process.pid}` }, receiveLoop: loop } };
  }

  async readiness(): Promise<ProbeResult> {
    const { lastSuccessAt } = this.#options.receiveTimes();
    const window = this.#options.readinessWindowMs ?? 60_000;
    const receive: ProbeCheck =
      lastSuccessAt === undefined
        ? { ok: false, detail: 'no successful receive yet' }
        : this.#now() - lastSuccessAt <= window
          ? { ok: true, detail: `last successful receive ${ago(this.#now() - lastSuccessAt)} ago` }
          : {
              ok: false,
              detail: `no successful receive for ${ago(this.#now() - lastSuccessAt)} (limit ${ago(window)})`,
            };
    const checks: Record<string, ProbeCheck> = { config: { ok: true, detail: 'loaded' } };
    if (this.#options.probeStore) checks.store = await this.#probeStore(this.#options.probeStore);
    checks.receive = receive;
    return { ok: Object.values(checks).every((c) => c.ok), checks };
  }

  /** One probe at a time: concurrent scrapes share it rather than piling writes onto the store. */
  #probeStore(probe: (signal: AbortSignal) => Promise<void>): Promise<ProbeCheck> {
    this.#storeProbe ??= probe(AbortSignal.timeout(this.#options.storeProbeTimeoutMs ?? 5_000))
      .then(
        (): ProbeCheck => ({ ok: true, detail: 'readable and writable' }),
        (error: unknown): ProbeCheck => ({ ok: false, detail: error instanceof Error ? error.message : String(error) }),
      )
      .finally(() => (this.#storeProbe = undefined));
    return this.#storeProbe;
  }
}

export interface HttpServerOptions {
  /** Default {@link DEFAULT_HTTP_HOST}. */
  host?: string;
  /** 0 picks a free port; the bound one is in the result. */
  port: number;
  metrics: Pick<ControllerMetrics, 'render' | 'contentType'>;
  probes: Pick<HealthProbes, 'liveness' | 'readiness'>;
  /** Told about requests that failed inside the server (never about 503s, which are answers). */
  onError?: (error: unknown) => void;
}

/** A listening server. */
export interface RunningHttpServer {
  host: string;
  /** The bound port (the real one when 0 was asked for). */
  port: number;
  /** e.g. `http://127.0.0.1:9464`. */
  url: string;
  /** Stops listening and closes open connections (keep-alive ones too). */
  close(): Promise<void>;
}

/**
 * Starts the endpoints. GET and HEAD only. `/healthz` and `/readyz` answer 200 or 503 with a JSON body
 * naming each check; `/metrics` answers the Prometheus text format.
 * @throws the listen error (EADDRINUSE, EACCES) as a rejection.
 */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const host = options.host ?? DEFAULT_HTTP_HOST;
  const server = createServer((req, res) => {
    route(req, res, options).catch((error: unknown) => {
      options.onError?.(error);
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else res.destroy();
    });
  });
  await listen(server, host, options.port);
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    host,
    port,
    url: `http://${urlHost}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const ENDPOINTS = ['/healthz', '/readyz', '/metrics'];

async function route(req: IncomingMessage, res: ServerResponse, options: HttpServerOptions): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (!ENDPOINTS.includes(path)) {
    send(res, 404, 'text/plain; charset=utf-8', `not found; try ${ENDPOINTS.join(', ')}\n`, req.method === 'HEAD');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
    return;
  }
  const head = req.method === 'HEAD';
  if (path === '/metrics') {
    send(res, 200, options.metrics.contentType, await options.metrics.render(), head);
    return;
  }
  const result = path === '/healthz' ? options.probes.liveness() : await options.probes.readiness();
  send(
    res,
    result.ok ? 200 : 503,
    'application/json; charset=utf-8',
    `${JSON.stringify({ status: result.ok ? 'ok' : 'fail', ...result })}\n`,
    head,
  );
}

function send(res: ServerResponse, status: number, contentType: string, body: string, head = false): void {
  res.writeHead(status, {
    'content-type': contentType,
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(body),
  });
  res.end(head ? undefined : body);
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function ago(ms: number): string {
  return ms < 10_000 ? `${Math.max(0, Math.round(ms))}ms` : `${Math.round(ms / 1000)}s`;
}
