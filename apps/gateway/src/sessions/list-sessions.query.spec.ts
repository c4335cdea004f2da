import { ApiError } from '../errors/api-error.js';
import { parseListQuery, parseMetadataQuery } from './list-sessions.query.js';

const Q_ERROR = "q must look like user_metadata['key']['nested']:'value' (string equality on a user metadata path)";

describe('parseMetadataQuery', () => {
  it.each<[string, { path: string[]; value: string }]>([
    ["user_metadata['order']['status']:'shipped'", { path: ['order', 'status'], value: 'shipped' }],
    ["user_metadata['a']:'b'", { path: ['a'], value: 'b' }],
    ['user_metadata["a"]["b c"]:"d e"', { path: ['a', 'b c'], value: 'd e' }],
    ["  user_metadata['a'] : 'b'  ", { path: ['a'], value: 'b' }],
    ["user_metadata['it\\'s']:'a\\\\b'", { path: ["it's"], value: 'a\\b' }],
    ["user_metadata['a']:''", { path: ['a'], value: '' }],
    ["user_metadata['x']:'a:b]['", { path: ['x'], value: 'a:b][' }],
  ])('%s', (q, expected) => {
    expect(parseMetadataQuery(q)).toEqual(expected);
  });

  it.each([
    'user_metadata',
    "user_metadata:'b'",
    "user_metadata['a']",
    "user_metadata['a']:b",
    "user_metadata[a]:'b'",
    "user_metadata['a':'b'",
    "user_metadata['a']:'b",
    "user_metadata['a']:'b' and more",
    "metadata['a']:'b'",
    "user_metadata['a'] = 'b'",
    `user_metadata${"['k']".repeat(17)}:'v'`,
  ])('refuses %s', (q) => {
    expect(() => parseMetadataQuery(q)).toThrow(new ApiError('VALIDATION', Q_ERROR));
  });
});

describe('parseListQuery', () => {
  it('no parameters, or empty ones, filter nothing', () => {
    expect(parseListQuery(undefined)).toEqual({});
    expect(parseListQuery({})).toEqual({});
    expect(parseListQuery({ status: '', q: '' })).toEqual({});
  });

  it('status and q together', () => {
    expect(parseListQuery({ status: 'RUNNING', q: "user_metadata['a']:'b'", other: 'ignored' })).toEqual({
      status: 'RUNNING',
      metadata: { path: ['a'], value: 'b' },
    });
  });

  it('refuses an unknown status, naming the parameter', () => {
    expect(() => parseListQuery({ status: 'DONE' })).toThrow('status must be one of PENDING, RUNNING, ERROR, TIMED_OUT, COMPLETED');
  });

  it('refuses a repeated parameter', () => {
    expect(() => parseListQuery({ q: ['a', 'b'] })).toThrow('q must be given at most once');
  });
});
