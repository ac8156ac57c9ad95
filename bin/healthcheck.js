#!/usr/bin/env node
// The container's HEALTHCHECK, without curl: GETs the controller's /healthz (config `http`) and exits 0 when
// it answers 200, else 1. URL: the first argument, else CONNECT_FAILOVER_HEALTH_URL, else the default
// port on loopback (http://127.0.0.1:9464/healthz; with `http.host: 0.0.0.0` loopback reaches it too).
import { get } from 'node:http';

const url = process.argv[2] || process.env.CONNECT_FAILOVER_HEALTH_URL || 'http://127.0.0.1:9464/healthz';
const TIMEOUT_MS = 4_000;

function done(healthy, detail) {
  process.stdout.write(`${healthy ? 'healthy' : 'unhealthy'}: ${url} ${detail}\n`);
  process.exitCode = healthy ? 0 : 1;
}

const request = get(url, { timeout: TIMEOUT_MS }, (response) => {
  let body = '';
  response.setEncoding('utf8');
  response.on('data', (chunk) => {
    if (body.length < 2_000) body += chunk;
  });
  response.on('end', () => done(response.statusCode === 200, `${response.statusCode} ${body.trim().slice(0, 500)}`));
});
request.on('timeout', () => request.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
request.on('error', (error) => done(false, error.message));
