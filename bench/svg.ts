// A hand-written SVG bar chart of a suite's results: per query, our median time beside the baseline's, each
// row scaled to its own longer bar so ratios read at a glance whatever the absolute times.
import type { CaseResult } from './measure.js';
import { fmtMs, type SuiteReport } from './report.js';

const WIDTH = 960;
const LABEL_W = 250;
const BAR_W = 520;
const ROW_H = 46;
const BAR_H = 16;
const TOP = 86;
const OURS = '#d95f02';
const BASE = '#1b9e77';
const BAD = '#c00000';

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function text(x: number, y: number, s: string, attrs = ''): string {
  return `<text x="${x}" y="${y}"${attrs ? ` ${attrs}` : ''}>${escapeXml(s)}</text>`;
}

function bar(cls: string, x: number, y: number, w: number, fill: string, title: string): string {
  return `<rect class="${cls}" x="${x}" y="${y}" width="${w.toFixed(1)}" height="${BAR_H}" fill="${fill}"><title>${escapeXml(title)}</title></rect>`;
}

/** `named`: the baselines differ between queries, so each row names its own under the query's name. */
function row(r: CaseResult, i: number, named: boolean): string {
  const y = TOP + i * ROW_H;
  const parts: string[] = [`<g class="query" data-name="${escapeXml(r.name)}">`];
  const failed = !r.ok;
  const base = r.baselines[0];
  const labelY = named && base ? y + BAR_H - 3 : y + BAR_H + 4;
  parts.push(text(LABEL_W - 10, labelY, r.name, `text-anchor="end"${failed ? ` fill="${BAD}" font-weight="bold"` : ''}`));
  if (named && base) parts.push(text(LABEL_W - 10, y + 2 * BAR_H - 1, `vs ${base.name}`, 'class="baseline-name" text-anchor="end" fill="#555"'));
  if (!r.ours || !base) {
    parts.push(text(LABEL_W, y + BAR_H + 4, r.error ? `ERROR: ${r.error.slice(0, 90)}` : 'no timings', `fill="${BAD}"`));
    parts.push('</g>');
    return parts.join('');
  }
  const max = Math.max(r.ours.medianMs, base.medianMs) || 1;
  const wOurs = Math.max(1, (r.ours.medianMs / max) * BAR_W);
  const wBase = Math.max(1, (base.medianMs / max) * BAR_W);
  parts.push(bar('bar ours', LABEL_W, y, wOurs, OURS, `selectd ${fmtMs(r.ours.medianMs)} ms`));
  parts.push(text(Math.round(LABEL_W + wOurs + 6), y + BAR_H - 3, `${fmtMs(r.ours.medianMs)} ms`));
  parts.push(bar('bar baseline', LABEL_W, y + BAR_H + 2, wBase, BASE, `${base.name} ${fmtMs(base.medianMs)} ms`));
  parts.push(text(Math.round(LABEL_W + wBase + 6), y + 2 * BAR_H - 1, `${fmtMs(base.medianMs)} ms`));
  const verdict = failed ? 'MISMATCH' : `${(r.ratio ?? NaN).toFixed(2)}x`;
  parts.push(text(WIDTH - 20, y + BAR_H + 4, verdict, `class="ratio" text-anchor="end" font-weight="bold"${failed ? ` fill="${BAD}"` : ''}`));
  parts.push('</g>');
  return parts.join('');
}

/** The whole chart as an SVG document. */
export function renderSvg(report: SuiteReport): string {
  const height = TOP + report.results.length * ROW_H + 30;
  const m = report.machine;
  const names = new Set(report.results.flatMap((r) => (r.baselines[0] ? [r.baselines[0].name] : [])));
  const named = names.size > 1;
  const baseName = names.size === 1 ? [...names][0]! : 'baseline';
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ` +
      'font-family="Helvetica, Arial, sans-serif" font-size="12">',
    `<title>${escapeXml(`${report.suite}: selectd vs ${baseName}`)}</title>`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    text(20, 26, `${report.suite}: selectd vs ${baseName}, median wall time per operation (shorter is better)`, 'font-size="16" font-weight="bold"'),
    text(20, 46, `${m.cpu}, ${m.cores} cores, node ${m.node}${m.duckdb ? `, DuckDB ${m.duckdb}` : ''}; ` +
      `${report.runs} runs, ${report.finishedAt.slice(0, 10)}${m.commit ? `, commit ${m.commit}` : ''}`, 'fill="#555"'),
    `<rect x="20" y="58" width="12" height="12" fill="${OURS}"/>`, text(38, 68, 'selectd'),
    `<rect x="100" y="58" width="12" height="12" fill="${BASE}"/>`, text(118, 68, baseName),
    text(WIDTH - 20, 68, 'ratio', 'text-anchor="end" fill="#555"'),
    ...report.results.map((r, i) => row(r, i, named)),
    '</svg>',
  ];
  return out.join('\n') + '\n';
}
