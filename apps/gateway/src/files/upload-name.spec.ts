import { MAX_UPLOAD_NAME_BYTES, sanitizeUploadName } from './upload-name.js';

const nameOf = (raw: string | undefined) => {
  const result = sanitizeUploadName(raw);
  return result.ok ? result.name : undefined;
};

describe('sanitizeUploadName', () => {
  it('keeps a plain name as it is, spaces and unicode included', () => {
    expect(nameOf('report.pdf')).toBe('report.pdf');
    expect(nameOf('Résumé final (2).pdf')).toBe('Résumé final (2).pdf');
  });

  it('keeps only the last segment of a path, with either separator', () => {
    expect(nameOf('../../etc/passwd')).toBe('passwd');
    expect(nameOf('/etc/shadow')).toBe('shadow');
    expect(nameOf('C:\\Users\\me\\secret.txt')).toBe('secret.txt');
    expect(nameOf('..\\..\\boot.ini')).toBe('boot.ini');
  });

  it('drops NUL and control characters', () => {
    expect(nameOf('a\u0000b\n.txt')).toBe('ab.txt');
    expect(nameOf('\u001b[31mred\u007f.txt')).toBe('[31mred.txt');
  });

  it('refuses nothing left, "." and "..", naming the field', () => {
    for (const raw of [undefined, '', '   ', '.', '..', 'dir/..', 'dir/', '\u0000\u0001']) {
      const result = sanitizeUploadName(raw);
      expect(result).toEqual({ ok: false, message: expect.stringContaining('file') });
    }
  });

  it('cuts to 255 bytes of UTF-8 without splitting a character', () => {
    const long = nameOf('é'.repeat(200));
    expect(Buffer.byteLength(long!, 'utf8')).toBeLessThanOrEqual(MAX_UPLOAD_NAME_BYTES);
    expect(long).toBe('é'.repeat(127));
    expect(nameOf('a'.repeat(1000))).toBe('a'.repeat(255));
  });

  it('never hands out the name of the node\'s own temp files', () => {
    expect(nameOf('.hangar-upload-123')).toBe('_hangar-upload-123');
  });
});
