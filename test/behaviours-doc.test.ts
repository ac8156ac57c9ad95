/** docs/behaviours.md is what "behaviour N" in the code points at: it must list them all and name real files. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sourceFilesUnder } from '../scripts/import-graph.ts';

const root = new URL('..', import.meta.url).pathname;
const doc = readFileSync(new URL('../docs/behaviours.md', import.meta.url), 'utf8');

describe('docs/behaviours.md', () => {
  it('lists behaviours 1 to 13 in order', () => {
    const numbers = [...doc.matchAll(/^(\d+)\. \*\*/gm)].map((m) => Number(m[1]));

    expect(numbers).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
  });

  it('names only files that exist (a glob counts when something matches it)', () => {
    const paths = [...doc.matchAll(/`((?:src|test|state-machines)\/[^`]+)`/g)].map((m) => m[1]!);
    const exists = (p: string) => {
      if (!p.includes('*')) return existsSync(`${root}${p}`);
      const [dir, pattern] = [p.slice(0, p.lastIndexOf('/')), p.slice(p.lastIndexOf('/') + 1)];
      const re = new RegExp(
        `^${pattern
          .split('*')
          .map((x) => x.replace(/[.]/g, '\\.'))
          .join('.*')}$`,
      );
      return readdirSync(`${root}${dir}`).some((f) => re.test(f));
    };
    const missing = paths.filter((p) => !exists(p));

    expect(paths.length).toBeGreaterThan(20);
    expect(missing).toEqual([]);
  });

  it('covers every "behaviour N" the sources cite', () => {
    const cited = new Set<number>();
    for (const file of [...sourceFilesUnder(`${root}src`), ...sourceFilesUnder(`${root}state-machines`)]) {
      for (const m of readFileSync(file, 'utf8').matchAll(/[Bb]ehaviours? (\d+)/g)) cited.add(Number(m[1]));
    }

    expect(cited.size).toBeGreaterThan(0);
    expect([...cited].filter((n) => n < 1 || n > 13)).toEqual([]);
  });
});
