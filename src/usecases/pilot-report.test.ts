import { describe, expect, it } from 'vitest';
import { pilotCsv, type PilotFigures } from './pilot-report.js';

const figures = (unanswered: string): PilotFigures => ({
  questions: 1,
  answered: 1,
  refused: 1,
  refusedShare: 1,
  negative: 0,
  negativeShare: 0,
  negativeTags: [],
  topSources: [],
  staleCitations: 0,
  staleSources: [],
  unanswered: [{ question: unanswered, count: 1 }],
});

describe('pilotCsv', () => {
  it('neutralises a refused question written like a spreadsheet formula (CSV injection)', () => {
    const evil = '=HYPERLINK("http://exemple.invalid";"cliquez")';
    const csv = pilotCsv({
      orgId: 'o',
      serviceId: null,
      from: '2026-11-16',
      to: '2026-11-22',
      orgPilotSince: null,
      servicePilotSince: null,
      staleAfterMonths: 12,
      weeks: [{ week: '2026-W47', start: '2026-11-16', ...figures(evil) }],
      totals: figures(evil),
    });
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const lines = csv.trim().split('\r\n');
    expect(lines).toHaveLength(3);
    // The cell starts with a quote mark, never with `=`: a spreadsheet shows it as text.
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://exemple.invalid"";""cliquez"") (1)"`);
    expect(lines.some((l) => /(^|;)=/.test(l))).toBe(false);
  });
});
