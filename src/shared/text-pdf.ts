/**
 * A plain text report as a PDF (A4, the standard Helvetica fonts: no font file shipped): lines
 * wrapped to the page, new pages as needed. For registers and exports read by people (the DPO's
 * inventory of AI tools, lists of completions…), not for layout.
 */

export interface PdfLine {
  text: string;
  /** Points; 10 by default. */
  size?: number;
  bold?: boolean;
  /** Left indent in points. */
  indent?: number;
  /** Space after the line, in points (2 by default). */
  gap?: number;
}

/** Characters the standard fonts (WinAnsi) can draw; others become « ? ». */
const WIN_ANSI_EXTRA = '€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ';
export const winAnsi = (s: string): string =>
  s.replace(/[^\x20-\x7E\xA0-\xFF]/g, (ch) =>
    WIN_ANSI_EXTRA.includes(ch) ? ch : ch === '\u202F' ? ' ' : '?',
  );

export async function textPdf(title: string, lines: PdfLine[]): Promise<Uint8Array> {
  const { PDFDocument, StandardFonts, rgb } = await import('pdf-lib');
  const doc = await PDFDocument.create();
  doc.setTitle(title);
  doc.setLanguage('fr-FR');
  doc.setProducer('Guichet');
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const [W, H, M] = [595.28, 841.89, 48];
  let page = doc.addPage([W, H]);
  let y = H - M;
  for (const l of lines) {
    const size = l.size ?? 10;
    const font = l.bold ? bold : regular;
    const x = M + (l.indent ?? 0);
    const width = W - M - x;
    let line = '';
    const flush = () => {
      if (y < M + size) {
        page = doc.addPage([W, H]);
        y = H - M;
      }
      page.drawText(line, { x, y, size, font, color: rgb(0.1, 0.1, 0.1) });
      y -= size * 1.35;
      line = '';
    };
    for (const w of winAnsi(l.text).split(/\s+/)) {
      const next = line ? `${line} ${w}` : w;
      if (line && font.widthOfTextAtSize(next, size) > width) {
        flush();
        line = w;
      } else line = next;
    }
    if (line) flush();
    y -= l.gap ?? 2;
  }
  return doc.save();
}
