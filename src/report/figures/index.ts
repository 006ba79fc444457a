import type { ReportModel } from '../model.js';
import { isometrySpec } from './isometry.js';
import { densitySpec } from './density.js';
import { gradientHeatmapSpec, gradientLinesSpec } from './gradients.js';
import { phaseSpec } from './phase.js';
import { qProfileSpec } from './qprofile.js';
import { cProfileSpec } from './cprofile.js';
import { interactiveSpec } from './interactive.js';

export interface FigureDef {
  /** file stem: figures/<id>.svg, specs/<id>.vl.json */
  id: string;
  /** what a reader should look for, shown under the figure */
  caption: string;
  build: (m: ReportModel) => Record<string, unknown> | null;
  /** a dense grid of cells: shown on the page as PNG (its SVG, one path per cell, is several times larger) */
  raster?: boolean;
}

/** The static figures, in page order. */
export const FIGURES: FigureDef[] = [
  {
    id: 'isometry',
    caption:
      'Where does the network preserve gradient norms? m₁ = 1 means the squared singular values average to 1; isometry needs, in addition, every ln s near 0 (a narrow band around the zero line).',
    build: isometrySpec,
  },
  {
    id: 'density',
    caption:
      'The whole spectrum, not just its mean: at the m₁ = 1 gain orthogonal weights concentrate ln s near 0 while Gaussian weights spread it over many units (orders of magnitude in s).',
    build: densitySpec,
  },
  { id: 'gradients', caption: 'Per-layer weight gradients: a tilted line means early and late layers learn at different rates.', build: gradientLinesSpec },
  { id: 'heatmap', caption: 'The same information for every gain at once: the white band is where errors reach the first layer intact.', build: gradientHeatmapSpec, raster: true },
  { id: 'phase', caption: 'Mean-field theory: the analyzed gains against the ordered and chaotic phases.', build: phaseSpec, raster: true },
  { id: 'q-profile', caption: 'Forward signal: measured qˡ against the mean-field length map.', build: qProfileSpec },
  { id: 'c-profile', caption: 'Two inputs: measured correlation cˡ against the mean-field correlation map (Poole et al. 2016, Schoenholz et al. 2017).', build: cProfileSpec },
];

export const INTERACTIVE: FigureDef = {
  id: 'interactive',
  caption: 'Drag the slider: the spectrum and the per-layer gradient norms follow the gain.',
  build: interactiveSpec,
};
