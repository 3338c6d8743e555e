/**
 * The training report as a PDF (pdf-lib, standard Helvetica: no font file shipped). Characters the
 * font cannot encode (outside Windows-1252) are replaced by `?` rather than failing the export.
 */
import { PDFDocument, StandardFonts, rgb, type PDFFont } from 'pdf-lib';

export interface PdfReport {
  title: string;
  /** Lines under the title (organisation, date, course version, pass mark). */
  subtitle: string[];
  head: string[];
  rows: string[][];
  /** Relative widths of the columns. */
  widths: number[];
}

function encodable(font: PDFFont): (text: string) => string {
  const ok = new Map<string, boolean>();
  return (text) =>
    [...text.normalize('NFC')]
      .map((ch) => {
        let good = ok.get(ch);
        if (good === undefined) {
          try {
            font.encodeText(ch);
            good = true;
          } catch {
            good = false;
          }
          ok.set(ch, good);
        }
        return good ? ch : '?';
      })
      .join('');
}

/** Cuts `text` to fit `width` points, with an ellipsis. */
function fit(font: PDFFont, size: number, text: string, width: number): string {
  if (font.widthOfTextAtSize(text, size) <= width) return text;
  let t = text;
  while (t && font.widthOfTextAtSize(`${t}…`, size) > width) t = t.slice(0, -1);
  return `${t}…`;
}

export async function reportPdf(r: PdfReport): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setTitle(r.title);
  pdf.setLanguage('fr-FR');
  pdf.setCreator('Guichet');
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const clean = encodable(font);
  const [W, H] = [842, 595]; // A4 landscape
  const margin = 36;
  const size = 8;
  const rowH = 13;
  const total = r.widths.reduce((a, b) => a + b, 0);
  const cols = r.widths.map((w) => ((W - 2 * margin) * w) / total);
  let page = pdf.addPage([W, H]);
  let y = H - margin;
  const line = (cells: string[], f: PDFFont) => {
    let x = margin;
    cells.forEach((c, i) => {
      page.drawText(fit(f, size, clean(c), cols[i] - 4), { x, y, size, font: f });
      x += cols[i];
    });
    page.drawLine({
      start: { x: margin, y: y - 4 },
      end: { x: W - margin, y: y - 4 },
      thickness: 0.3,
      color: rgb(0.7, 0.7, 0.7),
    });
    y -= rowH;
  };
  page.drawText(clean(r.title), { x: margin, y, size: 16, font: bold });
  y -= 22;
  for (const s of r.subtitle) {
    page.drawText(clean(s), { x: margin, y, size: 10, font });
    y -= 14;
  }
  y -= 8;
  line(r.head, bold);
  for (const row of r.rows) {
    if (y < margin + rowH) {
      page = pdf.addPage([W, H]);
      y = H - margin;
      line(r.head, bold);
    }
    line(row, font);
  }
  return pdf.save();
}
