import { createLogger } from './logger.js';
import { NestPinoLogger } from './nest-logger.js';

function capture(level = 'trace') {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('svc', level, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { lines, nest: new NestPinoLogger(logger) };
}

describe('NestPinoLogger', () => {
  it("Nest's log level (its boot chatter) is debug; the others keep their level; context is a field", () => {
    const { lines, nest } = capture();
    nest.log('Mapped {/v1/sessions, POST} route', 'RouterExplorer');
    nest.warn('careful', 'Ctx');
    nest.debug('detail');
    nest.verbose('more detail', 'Ctx');
    nest.fatal('gone', 'Ctx');
    expect(lines.map((l) => [l.level, l.msg, l.context])).toEqual([
      [20, 'Mapped {/v1/sessions, POST} route', 'RouterExplorer'],
      [40, 'careful', 'Ctx'],
      [20, 'detail', undefined],
      [10, 'more detail', 'Ctx'],
      [60, 'gone', 'Ctx'],
    ]);
    expect(lines.every((l) => l.service === 'svc')).toBe(true);
  });

  it('errors keep the stack Nest passes before the context, and an Error as err', () => {
    const { lines, nest } = capture();
    nest.error('failed', 'Error: x\n    at y', 'ExceptionHandler');
    nest.error(new Error('boom'), 'Ctx');
    expect(lines[0]).toMatchObject({ level: 50, msg: 'failed', trace: 'Error: x\n    at y', context: 'ExceptionHandler' });
    expect(lines[1]).toMatchObject({ level: 50, msg: 'boom', context: 'Ctx', err: { message: 'boom' } });
  });

  it('below the process level nothing is written; objects are fields, not strings', () => {
    const { lines, nest } = capture('info');
    nest.log('boot chatter');
    nest.warn({ transport: 'nats', status: 'reconnecting' });
    expect(lines).toEqual([expect.objectContaining({ level: 40, msg: 'nest', detail: { transport: 'nats', status: 'reconnecting' } })]);
  });
});
