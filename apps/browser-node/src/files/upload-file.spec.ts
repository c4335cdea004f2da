import { isSafeUploadName, MAX_UPLOAD_NAME_BYTES } from './upload-file.js';

// The node's own check of the name the gateway sanitised: anything that could leave the uploads
// folder, or hide as our temp files, is refused whoever sent it.
describe('isSafeUploadName', () => {
  it.each(['report.pdf', 'evil name.txt', 'é.txt', '..a', 'a..', '.bashrc', 'x'.repeat(MAX_UPLOAD_NAME_BYTES)])('takes %j', (name) => {
    expect(isSafeUploadName(name)).toBe(true);
  });

  it.each(['', '.', '..', 'a/b', '../x', '/etc/passwd', 'a\u0000b', 'a\nb', 'a\u007fb', '.hangar-upload-123', 'x'.repeat(MAX_UPLOAD_NAME_BYTES + 1), 'é'.repeat(128)])(
    'refuses %j',
    (name) => {
      expect(isSafeUploadName(name)).toBe(false);
    },
  );
});
