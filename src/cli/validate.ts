import { formatConfig } from '../config/format.ts';
import { loadCommandConfig, print } from './common.ts';
import type { ConfigOption } from './common.ts';
import { printableLines } from './printable.ts';

/** `validate -c FILE`: prints the normalized config; a ConfigError (exit 2) lists every problem. */
export async function validateCommand(options: ConfigOption): Promise<void> {
  const config = await loadCommandConfig(options);
  // Alarm names may hold bidi controls or C1 characters (CloudWatch allows them).
  print(printableLines(formatConfig(config)));
}
