import type { DenseFlag } from './findings.js';

/** A finding of one dense layer: the weight-only flags (src/audit/findings.ts) and the scale outlier (src/audit/run.ts). */
/**
 * scale-outlier: the layer's effective gain is `ratio` times `reference`, the model's median
 * effective gain (against 'median', with 3 or more layers) or the ideal model's m1 = 1 gain
 * (against 'ideal'), more than SCALE_OUTLIER_FACTOR (3) away either way.
 */
export type AuditFlag = DenseFlag | { kind: 'scale-outlier'; ratio: number; reference: number; against: 'median' | 'ideal' };

/** The flags that make a layer broken (verdict 'broken', exit 1): the rest are warnings. */
export const BROKEN_FLAGS: readonly AuditFlag['kind'][] = ['non-finite', 'all-zero', 'constant', 'duplicate-rows', 'non-finite-bias'];

/** A flag in words (the text output and the broken verdict's reason). */
export function flagText(f: AuditFlag): string {
  switch (f.kind) {
    case 'non-finite':
      return `${f.count} non-finite entr${f.count > 1 ? 'ies' : 'y'} (${f.nan} NaN)`;
    case 'all-zero':
      return 'all zero (never initialized?)';
    case 'constant':
      return `every entry ${f.value} (a constant fill, not an init)`;
    case 'duplicate-rows':
      return `${f.pairs} duplicated row(s), first rows ${f.first[0]} and ${f.first[1]} (copied units learn alike)`;
    case 'non-finite-bias':
      return `${f.count} non-finite bias entr${f.count > 1 ? 'ies' : 'y'}`;
    case 'scale-outlier':
      return `effective gain ${f.ratio.toPrecision(3)} x ${f.against === 'median' ? "the model's median" : "the ideal model's m1 = 1 gain"} ${f.reference.toPrecision(3)}`;
  }
}
