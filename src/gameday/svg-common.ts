/** What the report's SVG drawings share: the palette (states, alarm values, call outcomes) and XML escaping. */

export const COLORS = {
  OK: '#2e7d32',
  ALARM: '#c62828',
  INSUFFICIENT_DATA: '#9e9e9e',
  unknown: '#e0e0e0',
  healthy: '#2e7d32',
  degraded: '#f9a825',
  failedOver: '#c62828',
  failingBack: '#7cb342',
  active: '#a5d6a7',
  paused: '#90a4ae',
  suspended: '#ef6c00',
  ok: '#2e7d32',
  throttled: '#ef6c00',
  conflict: '#6a1b9a',
  server: '#c62828',
  client: '#ad1457',
  network: '#212121',
  actual: '#1565c0',
  desired: '#757575',
  fault: '#d84315',
  command: '#00838f',
  rto: '#1565c0',
} as const;

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
