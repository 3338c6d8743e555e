/**
 * The hostile files of issue 18, built at test time (nothing is downloaded): deeply nested HTML,
 * a PDF whose page tree lists one page many times, a large DOCX full of incompressible images,
 * deeply nested JSON.
 */
import { randomBytes } from 'node:crypto';
import { assemblePdf, makeZip, type ZipFileSpec } from '../fixtures/files/make.js';

/** `levels` nested `<div>` around a sentence (5,000 levels ≈ 55 KB: the reproduction's size). */
export function nestedHtml(levels: number): Buffer {
  const open = '<div>'.repeat(levels);
  const close = '</div>'.repeat(levels);
  return Buffer.from(
    `<!doctype html><html><head><title>Imbrication</title></head><body>${open}<p>La mairie est ouverte le lundi de 9h à 12h.</p>${close}</body></html>`,
  );
}

/** `depth` nested arrays/objects around one value. */
export function nestedJson(depth: number): Buffer {
  return Buffer.from('{"a":'.repeat(depth) + '"fond"' + '}'.repeat(depth));
}

/** A PDF whose page tree lists the same page `references` times (20,000 ≈ 120 KB). */
export function repeatedPagePdf(references: number): Buffer {
  const content = 'BT /F1 12 Tf 72 720 Td (Horaires de la mairie de Vercelline) Tj ET';
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Count ${references} /Kids [${'3 0 R '.repeat(references)}] >>`,
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  return assemblePdf(objects);
}

/**
 * A legal DOCX of about `megabytes` MB: a few paragraphs and as many incompressible images (random
 * bytes declared as PNG), each referenced from the text: mammoth turned every image into a base64
 * data URI inside one HTML string before the Markdown conversion.
 */
export function bigDocx(megabytes: number, o: { images?: number } = {}): Buffer {
  const images = o.images ?? Math.max(1, Math.round(megabytes));
  const each = Math.floor((megabytes * 1024 * 1024) / images);
  const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
  const paragraphs: string[] = [];
  const rels: string[] = [];
  const files: ZipFileSpec[] = [];
  for (let i = 0; i < images; i++) {
    const id = `rImg${i}`;
    rels.push(
      `<Relationship Id="${id}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image${i}.png"/>`,
    );
    files.push({ name: `word/media/image${i}.png`, data: randomBytes(each) });
    paragraphs.push(
      `<w:p><w:r><w:t>Paragraphe ${i} : la mairie de Vercelline publie ses horaires.</w:t></w:r></w:p>`,
      `<w:p><w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"><wp:extent cx="100" cy="100"/><wp:docPr id="${i + 1}" name="image${i}" descr="Photo ${i}"/><a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:nvPicPr><pic:cNvPr id="${i + 1}" name="image${i}.png"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:embed="${id}"/></pic:blipFill><pic:spPr/></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>`,
    );
  }
  const documentXml = `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="${W}"><w:body><w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Grand document</w:t></w:r></w:p>${paragraphs.join('')}</w:body></w:document>`;
  return makeZip([
    {
      name: '[Content_Types].xml',
      data: Buffer.from(
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
      ),
    },
    {
      name: '_rels/.rels',
      data: Buffer.from(
        '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
      ),
    },
    { name: 'word/document.xml', data: Buffer.from(documentXml) },
    {
      name: 'word/_rels/document.xml.rels',
      data: Buffer.from(
        `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${rels.join('')}</Relationships>`,
      ),
    },
    ...files,
  ]);
}
