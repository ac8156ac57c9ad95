/**
 * A strict reader of the Prometheus text exposition format (0.0.4), enough to prove that `/metrics` is
 * well formed: every sample belongs to a family declared by `# TYPE`, names and labels are legal, values
 * are numbers. Special values are read as Prometheus reads them (Go's ParseFloat: NaN and ±Inf in any
 * case; prom-client writes `Nan`). Throws on the first line that is not.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  types: Map<string, string>;
  help: Map<string, string>;
  samples: Sample[];
  /** The value of the one sample with this name and (at least) these labels; throws when not exactly one. */
  value(name: string, labels?: Record<string, string>): number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const SUFFIXES = ['_bucket', '_sum', '_count', '_total', '_created'];

export function parsePrometheusText(text: string): Exposition {
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  const samples: Sample[] = [];
  text.split('\n').forEach((line, index) => {
    const where = `line ${index + 1}: ${line}`;
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const match = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!match) return;
      const [, kind, name, rest] = match as unknown as [string, string, string, string];
      if (!NAME.test(name)) throw new Error(`bad metric name in ${where}`);
      if (kind === 'TYPE') {
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest))
          throw new Error(`bad type in ${where}`);
        types.set(name, rest);
      } else {
        help.set(name, rest);
      }
      return;
    }
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( \d+)?$/.exec(line);
    if (!match) throw new Error(`not a sample: ${where}`);
    const [, name, , labelText, rawValue] = match as unknown as [
      string,
      string,
      string | undefined,
      string | undefined,
      string,
    ];
    const family = types.has(name)
      ? name
      : SUFFIXES.map((s) => (name.endsWith(s) ? name.slice(0, -s.length) : '')).find((f) => f && types.has(f));
    if (!family) throw new Error(`sample without a # TYPE: ${where}`);
    const special = rawValue.toLowerCase();
    const value =
      special === 'nan'
        ? Number.NaN
        : special === '+inf'
          ? Infinity
          : special === '-inf'
            ? -Infinity
            : Number(rawValue);
    if (special !== 'nan' && Number.isNaN(value)) throw new Error(`bad value in ${where}`);
    samples.push({ name, labels: parseLabels(labelText ?? '', where), value });
  });
  return {
    types,
    help,
    samples,
    value(name, labels = {}) {
      const found = samples.filter(
        (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
      );
      if (found.length !== 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}`);
      return found[0]!.value;
    },
  };
}

function parseLabels(text: string, where: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest.length > 0) {
    const match = /^([^=]+)="((?:[^"\\]|\\.)*)",?/.exec(rest);
    if (!match) throw new Error(`bad labels in ${where}`);
    const [whole, name, value] = match as unknown as [string, string, string];
    if (!LABEL_NAME.test(name)) throw new Error(`bad label name ${name} in ${where}`);
    labels[name] = value.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    rest = rest.slice(whole.length);
  }
  return labels;
}
