import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';

/**
 * A stored gzip'd NDJSON artifact (one JSON value per line, as the archiver writes them) as one
 * JSON array, produced as it is read: each line goes out as it is, so a large recording passes
 * through in pieces and is never in memory twice (nor whole once).
 */
export function jsonArrayFromGzipNdjson(gzipped: Readable): Readable {
  const gunzip = createGunzip();
  gzipped.on('error', (err) => gunzip.destroy(err));
  gzipped.pipe(gunzip);
  return Readable.from(
    (async function* () {
      yield '[';
      let first = true;
      let rest = '';
      // A chunk can end inside a multi-byte character: the decoder keeps its first bytes for the next.
      const decoder = new StringDecoder('utf8');
      for await (const chunk of gunzip as AsyncIterable<Buffer>) {
        const lines = (rest + decoder.write(chunk)).split('\n');
        rest = lines.pop()!;
        let out = '';
        for (const line of lines) {
          if (!line) continue;
          out += first ? line : `,${line}`;
          first = false;
        }
        if (out) yield out;
      }
      rest += decoder.end();
      if (rest) yield first ? rest : `,${rest}`;
      yield ']';
    })(),
    { objectMode: false },
  );
}
