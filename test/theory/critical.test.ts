import { describe, expect, it } from 'vitest';
import { criticalLine, criticalPoint, findCriticalPoint } from '../../src/theory/critical.js';
import { meanFieldPoint } from '../../src/theory/phase.js';
import { SpecError } from '../../src/spec/errors.js';

/** |a - b| <= half a unit in the last quoted digit: "agrees to the quoted digits". */
function agreesToQuotedDigits(value: number, quoted: string): boolean {
  const decimals = (quoted.split('e')[0].split('.')[1] ?? '').length;
  const exp = quoted.includes('e') ? Number(quoted.split('e')[1]) : 0;
  return Math.abs(value - Number(quoted)) <= 0.5 * 10 ** (exp - decimals);
}

describe('critical point (edge of chaos), docs/science.md section 8 to 1e-6', () => {
  it('tanh sigma_b = 0: sigma_w = 1, q* = 0', () => {
    expect(criticalPoint('tanh', 0)).toMatchObject({ sigmaW: 1, sigmaW2: 1, q: 0 });
  });

  it.each([
    [0.05, 1.122539, 1.260094, 0.153692],
    [0.3, 1.395584, 1.947655, 0.763475],
  ])('tanh sigma_b = %f', (sigmaB, sw, sw2, q) => {
    const p = criticalPoint('tanh', sigmaB);
    // the table is rounded to 6 decimals, so |error| <= 5e-7 < 1e-6
    expect(Math.abs(p.sigmaW - sw)).toBeLessThan(1e-6);
    expect(Math.abs(p.sigmaW2 - sw2)).toBeLessThan(1e-6);
    expect(Math.abs((p.q as number) - q)).toBeLessThan(1e-6);
    // and chi_1 = 1 at (sigma_w, sigma_b) through the independent fixed-point solver
    expect(Math.abs(meanFieldPoint('tanh', { sigmaW: p.sigmaW, sigmaB }).chi1! - 1)).toBeLessThan(1e-12);
  });

  it('tanh matches mpmath (30 digits) to 1e-10', () => {
    // reference: mpmath findroot on q - E[tanh^2]/E[sech^4] = sigma_b^2 with mp.quad expectations
    const p = criticalPoint('tanh', 0.05);
    expect(Math.abs(p.sigmaW - 1.12253900477)).toBeLessThan(1e-10);
    expect(Math.abs((p.q as number) - 0.153691935821)).toBeLessThan(1e-11);
    const p3 = criticalPoint('tanh', 0.3);
    expect(Math.abs(p3.sigmaW2 - 1.94765463171)).toBeLessThan(1e-10);
    expect(Math.abs((p3.q as number) - 0.76347476691)).toBeLessThan(1e-10);
  });

  it('hard-tanh sigma_b = 0.05: sigma_w = 1.008853, q* = 0.17705; sigma_w^2 = 1.0177854 (the first notes said 1.017784)', () => {
    const p = criticalPoint('hard-tanh', 0.05);
    expect(Math.abs(p.sigmaW - 1.008853)).toBeLessThan(1e-6);
    expect(agreesToQuotedDigits(p.q as number, '0.17705')).toBe(true);
    // mpmath: sigma_w = 1.00885348517, sigma_w^2 = 1.01778535455. The first notes' 1.017784 is the
    // square of the ROUNDED sigma_w (1.008853^2 = 1.0177843), 1.4e-6 off the true value.
    expect(Math.abs(p.sigmaW2 - 1.01778535455)).toBeLessThan(1e-10);
    expect(Math.abs(p.sigmaW2 - 1.017784)).toBeGreaterThan(1e-6);
    expect(Math.abs(1.008853 ** 2 - 1.017784)).toBeLessThan(5e-7);
  });

  it('relu critical at sigma_w^2 = 2 and linear at 1, for any q (sigma_b = 0)', () => {
    expect(criticalPoint('relu', 0)).toMatchObject({ sigmaW2: 2, sigmaW: Math.SQRT2, q: 'any' });
    expect(criticalPoint('linear', 0)).toMatchObject({ sigmaW2: 1, sigmaW: 1, q: 'any' });
  });

  it('relu and linear at sigma_b > 0: no critical point, a SpecError that says why', () => {
    expect(() => criticalPoint('relu', 0.1)).toThrow(SpecError);
    expect(() => criticalPoint('relu', 0.1)).toThrow(/no critical point/);
    const lin = findCriticalPoint('linear', 0.1);
    expect(lin.exists).toBe(false);
    if (!lin.exists) expect(lin.reason).toMatch(/no fixed point/);
    expect(() => criticalPoint('tanh', -0.1)).toThrow(SpecError);
  });

  describe('published tanh critical points agree to their quoted digits', () => {
    // (sigma_w^2, sigma_b^2): Schoenholz 2017 (1.76, 0.05); Pennington 2017 (1.05, 2.01e-5), (2.00, 0.104).
    // Checked both ways: the critical sigma_w^2 at the quoted sigma_b^2, and (by bisection on the
    // line, which is increasing) the critical sigma_b^2 at the quoted sigma_w^2.
    it.each([
      ['1.76', '0.05'],
      ['1.05', '2.01e-5'],
      ['2.00', '0.104'],
    ])('(%s, %s)', (w2, b2) => {
      const p = criticalPoint('tanh', Math.sqrt(Number(b2)));
      expect(agreesToQuotedDigits(p.sigmaW2, w2), `sigma_w^2 = ${p.sigmaW2}`).toBe(true);
      let lo = 0;
      let hi = 2;
      for (let i = 0; i < 60; i++) {
        const mid = 0.5 * (lo + hi);
        if (criticalPoint('tanh', mid).sigmaW2 < Number(w2)) lo = mid;
        else hi = mid;
      }
      const sb2 = (0.5 * (lo + hi)) ** 2;
      expect(agreesToQuotedDigits(sb2, b2), `sigma_b^2 = ${sb2}`).toBe(true);
    });
  });

  it('the tanh critical line is increasing in sigma_b and starts at (1, 0)', () => {
    const sbs = Array.from({ length: 11 }, (_, i) => i * 0.05);
    const line = criticalLine('tanh', sbs);
    expect(line[0]).toMatchObject({ sigmaW: 1, q: 0 });
    for (let i = 1; i < line.length; i++) {
      expect(line[i].sigmaW).toBeGreaterThan(line[i - 1].sigmaW);
      expect(line[i].q as number).toBeGreaterThan(line[i - 1].q as number);
      expect(line[i].sigmaB2).toBeCloseTo(sbs[i] ** 2, 15);
    }
  });

  it('tiny and large sigma_b stay consistent (chi_1 = 1 to 1e-9)', () => {
    for (const sb of [1e-4, 3, 10]) {
      const p = criticalPoint('tanh', sb);
      expect(Math.abs(meanFieldPoint('tanh', { sigmaW: p.sigmaW, sigmaB: sb }).chi1! - 1)).toBeLessThan(1e-9);
      const h = criticalPoint('hard-tanh', sb);
      expect(Math.abs(meanFieldPoint('hard-tanh', { sigmaW: h.sigmaW, sigmaB: sb }).chi1! - 1)).toBeLessThan(1e-9);
    }
  });
});
