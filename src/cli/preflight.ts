import { runPreflight } from '../preflight/index.ts';
import { loadCommandConfig, print } from './common.ts';
import type { ConfigOption } from './common.ts';
import { renderPreflight } from './preflight-render.ts';
import { printableJson } from './printable.ts';
import { colorEnabled } from './render.ts';

/**
 * `preflight -c FILE [--json]`: can a failover work now? Exit 0 when nothing fails (warnings
 * allowed), 1 otherwise; 2 for a config error (nothing is called on AWS then).
 */
export async function preflightCommand(options: ConfigOption & { json?: boolean }): Promise<number> {
  const config = await loadCommandConfig(options);
  const report = await runPreflight({ config });
  print(options.json ? printableJson(report) : renderPreflight(report, colorEnabled()));
  return report.ok ? 0 : 1;
}
