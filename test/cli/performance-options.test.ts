import { describe, it, expect } from 'vitest';
import { applyMaxMemory } from '../../cli/options.js';
import { parseMemorySize } from '../../src/spec/parse.js';
import { readOptions } from '../../src/spec/options.js';
import { memoryBudget } from '../../src/spec/validate.js';

describe('--max-memory and --method parsing', () => {
  it('reads sizes in MiB or with units', () => {
    expect(parseMemorySize('512', 'x')).toBe(512);
    expect(parseMemorySize('512M', 'x')).toBe(512);
    expect(parseMemorySize('4G', 'x')).toBe(4096);
    expect(parseMemorySize('1.5GiB', 'x')).toBe(1536);
    expect(parseMemorySize('2048k', 'x')).toBe(2);
    expect(() => parseMemorySize('lots', '--max-memory')).toThrow(/--max-memory must be a size/);
    expect(() => parseMemorySize('0', '--max-memory')).toThrow(/--max-memory must be > 0/);
  });

  it('reads the method and applies the budget process-wide', () => {
    const o = readOptions('spectrum', { method: 'matrix-free', maxMemory: '1G' });
    expect(o.get('method')).toBe('matrix-free');
    expect(o.get('maxMemory')).toBe(1024);
    expect(readOptions('spectrum', {}).get('method')).toBe('dense');
    expect(readOptions('spectrum', {}).get('maxMemory')).toBeUndefined();
    expect(() => readOptions('spectrum', { method: 'fast' })).toThrow(/--method: unknown method 'fast' \(known: dense, matrix-free, auto\)/);
    const before = process.env.EOC_MAX_MEMORY_MB;
    try {
      applyMaxMemory(1024);
      expect(memoryBudget()).toBe(2 ** 30);
    } finally {
      if (before === undefined) delete process.env.EOC_MAX_MEMORY_MB;
      else process.env.EOC_MAX_MEMORY_MB = before;
    }
  });
});
