import { crc32 } from 'node:zlib';
import {
  MAX_ATTACHMENT_BYTES,
  attachmentFileTypes,
  attachmentMimeTypes,
  checkUploadedBytes,
  detectAttachmentType,
  fileTypeFromMime,
  isPlainText,
  sanitizeFileName,
  uploadExpiresAt,
  validateAttachmentUpload,
  type AttachmentFileType,
} from './attachment-rules.js';

/** A ZIP archive with stored (uncompressed) entries: enough for file-type to look inside. */
function zip(entries: [name: string, content: string][]): Uint8Array {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [entryName, content] of entries) {
    const data = Buffer.from(content);
    const name = Buffer.from(entryName);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    parts.push(local, name, data);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(data.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(name.length, 28);
    entry.writeUInt32LE(offset, 42);
    central.push(entry, name);
    offset += local.length + name.length + data.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...parts, directory, end]));
}

const contentTypes = (mainPart: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/main.xml" ContentType="${mainPart}"/></Types>`;

/** A Compound File (OLE2) header, with the given stream name in its directory. */
function compoundFile(streamName: string): Uint8Array {
  const bytes = Buffer.alloc(1536);
  Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(bytes);
  bytes.writeUInt16LE(0x003e, 24);
  bytes.writeUInt16LE(0x0003, 26);
  bytes.writeUInt16LE(0xfffe, 28);
  bytes.writeUInt16LE(9, 30);
  Buffer.from(streamName, 'utf16le').copy(bytes, 1024);
  return new Uint8Array(bytes);
}

const samples: Record<AttachmentFileType, Uint8Array> = {
  PDF: new Uint8Array(Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n')),
  DOC: compoundFile('WordDocument'),
  DOCX: zip([
    ['[Content_Types].xml', contentTypes('application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml')],
    ['word/document.xml', '<w:document/>'],
  ]),
  TXT: new Uint8Array(Buffer.from('Curriculum vitae\nAda Lovelace — analyste, 1843\n')),
  PNG: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]),
  JPEG: new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xff, 0xd9]),
};

describe('detectAttachmentType', () => {
  it.each(attachmentFileTypes)('recognises %s by its content', async (type) => {
    await expect(detectAttachmentType(samples[type])).resolves.toBe(type);
  });

  it('refuses other formats, even in the same containers', async () => {
    const others = {
      xlsx: zip([['[Content_Types].xml', contentTypes('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml')]]),
      zip: zip([['cv.pdf', '%PDF-1.7']]),
      xls: compoundFile('Workbook'),
      exe: new Uint8Array([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00]),
      gif: new Uint8Array(Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1')),
      binary: new Uint8Array([0x00, 0x01, 0x02, 0xfe, 0xff, 0x10, 0x80]),
    };
    for (const [name, bytes] of Object.entries(others)) expect({ name, type: await detectAttachmentType(bytes) }).toEqual({ name, type: undefined });
  });
});

describe('isPlainText', () => {
  it('takes UTF-8 without NUL bytes, with or without a BOM', () => {
    expect(isPlainText(samples.TXT)).toBe(true);
    expect(isPlainText(new Uint8Array(Buffer.from('\uFEFFhello\r\n\ttabbed', 'utf8')))).toBe(true);
  });

  it('refuses NUL bytes, invalid UTF-8, UTF-16 and emptiness', () => {
    expect(isPlainText(new Uint8Array(Buffer.from('hello\0world')))).toBe(false);
    expect(isPlainText(new Uint8Array([0x68, 0x69, 0xc3, 0x28]))).toBe(false);
    expect(isPlainText(new Uint8Array(Buffer.from('\uFEFFhello', 'utf16le')))).toBe(false);
    expect(isPlainText(new Uint8Array())).toBe(false);
  });
});

describe('checkUploadedBytes', () => {
  it('accepts content of the announced type and size', async () => {
    for (const type of attachmentFileTypes) {
      await expect(checkUploadedBytes({ fileType: type, fileSize: samples[type].length }, samples[type])).resolves.toEqual({ ok: true, fileType: type });
    }
  });

  it('refuses content of another type than announced, naming the real one', async () => {
    await expect(checkUploadedBytes({ fileType: 'PDF', fileSize: samples.PNG.length }, samples.PNG)).resolves.toEqual({
      ok: false,
      reason: 'TYPE_MISMATCH',
      message: 'The file was announced as PDF but its content is PNG; announce it again with fileType PNG.',
    });
    // A PDF renamed to .txt is still a PDF.
    await expect(checkUploadedBytes({ fileType: 'TXT', fileSize: samples.PDF.length }, samples.PDF)).resolves.toMatchObject({ ok: false, reason: 'TYPE_MISMATCH' });
  });

  it('refuses content of no allowed type', async () => {
    const exe = new Uint8Array([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00]);
    await expect(checkUploadedBytes({ fileType: 'PDF', fileSize: exe.length }, exe)).resolves.toEqual({
      ok: false,
      reason: 'UNRECOGNISED_CONTENT',
      message: "The file's content is not a PDF, DOC, DOCX, TXT, PNG or JPEG file (text must be UTF-8).",
    });
  });

  it('refuses a size other than announced, and anything over 10 MB', async () => {
    await expect(checkUploadedBytes({ fileType: 'TXT', fileSize: 10 }, samples.TXT)).resolves.toMatchObject({ ok: false, reason: 'SIZE_MISMATCH' });
    const huge = new Uint8Array(MAX_ATTACHMENT_BYTES + 1).fill(0x61);
    await expect(checkUploadedBytes({ fileType: 'TXT', fileSize: MAX_ATTACHMENT_BYTES }, huge)).resolves.toMatchObject({ ok: false, reason: 'TOO_LARGE' });
    const largest = new Uint8Array(MAX_ATTACHMENT_BYTES).fill(0x61);
    await expect(checkUploadedBytes({ fileType: 'TXT', fileSize: MAX_ATTACHMENT_BYTES }, largest)).resolves.toEqual({ ok: true, fileType: 'TXT' });
  });
});

describe('sanitizeFileName', () => {
  it('keeps an ordinary name', () => {
    expect(sanitizeFileName('Ada Lovelace CV.pdf', 'PDF')).toBe('Ada Lovelace CV.pdf');
    expect(sanitizeFileName('résumé.JPEG', 'JPEG')).toBe('résumé.jpeg');
    expect(sanitizeFileName('photo.jpg', 'JPEG')).toBe('photo.jpg');
  });

  it('keeps only the last path segment', () => {
    expect(sanitizeFileName('../../etc/passwd.txt', 'TXT')).toBe('passwd.txt');
    expect(sanitizeFileName('C:\\Users\\ada\\cv.docx', 'DOCX')).toBe('cv.docx');
  });

  it('removes control and invisible formatting characters', () => {
    expect(sanitizeFileName('cv\u202Efdp.exe', 'PDF')).toBe('cvfdp.exe.pdf');
    expect(sanitizeFileName('c\u0000v\u0007\r\n.pdf', 'PDF')).toBe('cv.pdf');
    expect(sanitizeFileName('zero\u200Bwidth.pdf', 'PDF')).toBe('zerowidth.pdf');
  });

  it('replaces characters Windows refuses and tidies spaces and dots', () => {
    expect(sanitizeFileName('what? <final>: "v2" | *.pdf', 'PDF')).toBe('what_ _final__ _v2_ _ _.pdf');
    expect(sanitizeFileName('  ..hidden   name .pdf ', 'PDF')).toBe('hidden name.pdf');
    expect(sanitizeFileName('notes...', 'TXT')).toBe('notes.txt');
  });

  it('gives the name an extension of the declared type', () => {
    expect(sanitizeFileName('cv', 'PDF')).toBe('cv.pdf');
    expect(sanitizeFileName('cv.exe', 'DOCX')).toBe('cv.exe.docx');
    expect(sanitizeFileName('cv.doc', 'DOCX')).toBe('cv.doc.docx');
  });

  it('never returns an empty name', () => {
    expect(sanitizeFileName('...', 'PDF')).toBe('attachment.pdf');
    expect(sanitizeFileName('\u202E', 'PNG')).toBe('attachment.png');
    expect(sanitizeFileName('dir/', 'TXT')).toBe('attachment.txt');
  });

  it('cuts long names to 255 characters, keeping the extension', () => {
    const name = sanitizeFileName(`${'é'.repeat(300)}.docx`, 'DOCX');
    expect([...name].length).toBe(255);
    expect(name.endsWith('é.docx')).toBe(true);
    expect([...sanitizeFileName('😀'.repeat(300), 'PNG')].length).toBe(255);
  });
});

describe('validateAttachmentUpload', () => {
  const input = { applicationId: '12', fileName: 'cv.pdf', fileType: 'PDF', fileSize: 52_000 };

  it('returns the sanitised name and the MIME type to store', () => {
    expect(validateAttachmentUpload({ ...input, fileName: 'docs/cv' })).toEqual({
      ok: true,
      values: { applicationId: 12n, fileName: 'cv.pdf', fileType: 'PDF', mimeType: 'application/pdf', fileSize: 52_000 },
    });
  });

  it('takes 1 byte to 10 MB', () => {
    expect(validateAttachmentUpload({ ...input, fileSize: 1 })).toMatchObject({ ok: true });
    expect(validateAttachmentUpload({ ...input, fileSize: MAX_ATTACHMENT_BYTES })).toMatchObject({ ok: true });
    expect(validateAttachmentUpload({ ...input, fileSize: MAX_ATTACHMENT_BYTES + 1 })).toEqual({
      ok: false,
      fields: [{ field: 'input.fileSize', message: 'must be at most 10 MB (10,485,760 bytes)' }],
    });
    expect(validateAttachmentUpload({ ...input, fileSize: 0 })).toEqual({ ok: false, fields: [{ field: 'input.fileSize', message: 'must be at least 1 byte' }] });
  });

  it('refuses other types, blank names and bad ids, all at once', () => {
    expect(validateAttachmentUpload({ applicationId: 'x', fileName: '   ', fileType: 'EXE', fileSize: 2.5 })).toEqual({
      ok: false,
      fields: [
        { field: 'input.applicationId', message: 'is not a valid application id' },
        { field: 'input.fileName', message: 'must not be empty' },
        { field: 'input.fileType', message: 'must be one of PDF, DOC, DOCX, TXT, PNG, JPEG' },
        { field: 'input.fileSize', message: 'must be a whole number of bytes' },
      ],
    });
  });
});

describe('types and expiry', () => {
  it('maps MIME types back to types', () => {
    for (const type of attachmentFileTypes) expect(fileTypeFromMime(attachmentMimeTypes[type])).toBe(type);
    expect(fileTypeFromMime('text/plain; charset=utf-8')).toBe('TXT');
    expect(fileTypeFromMime('application/zip')).toBeUndefined();
  });

  it('lets an upload URL live 15 minutes', () => {
    expect(uploadExpiresAt(new Date('2026-05-10T12:00:00Z'))).toEqual(new Date('2026-05-10T12:15:00Z'));
  });
});
