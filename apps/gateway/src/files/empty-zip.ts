/**
 * A zip with no entries: the 22-byte end-of-central-directory record alone (signature
 * PK\x05\x06, all counts and offsets 0). Every unzip tool opens it as an empty archive.
 */
export const EMPTY_ZIP = Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]);
