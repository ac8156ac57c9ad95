import { describe, expect, it } from 'vitest';
import { runMemory } from '../../bench/memory.ts';
import { HISTORY_LIMIT } from '../../src/controller/document.ts';

describe('the memory benchmark at a tiny size', () => {
  it('feeds every event through handleBatch, samples at each step, and keeps the document within its caps', async () => {
    // Act
    const result = await runMemory({ events: 200, sampleEvery: 100, batch: 50 });

    // Assess
    const d = result.details;
    expect(d['deletable']).toBe(200);
    expect((d['samples'] as Array<{ events: number }>).map((s) => s.events)).toEqual([0, 100, 200]);
    expect(d['historyEntries'] as number).toBeLessThanOrEqual(HISTORY_LIMIT);
    expect(d['signalsTracked']).toBe(3);
  });
});
