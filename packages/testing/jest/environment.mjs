// The test environment of every spec file: Node's, plus one duty. Once the file's own hooks are
// done (run_finish), whatever it started through `own` (src/ownership.ts) and did not stop is
// stopped here, starts still under way included: a beforeAll that timed out never assigned what
// its afterAll would have stopped.
import { TestEnvironment } from 'jest-environment-node';

const PENDING_LIMIT_MS = 120_000;

export default class OwningEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.testPath = context.testPath;
  }

  async handleTestEvent(event, state) {
    await super.handleTestEvent?.(event, state);
    if (event.name === 'run_finish') await stopOwned(this.global.__hangarOwned, this.testPath);
  }
}

export async function stopOwned(registry, testPath) {
  if (!registry) return [];
  const deadline = Date.now() + PENDING_LIMIT_MS;
  while (registry.pending.size > 0 && Date.now() < deadline) {
    let timer;
    await Promise.race([Promise.allSettled([...registry.pending]), new Promise((r) => (timer = setTimeout(r, deadline - Date.now())))]);
    clearTimeout(timer);
  }
  const left = registry.owned.filter((entry) => !entry.stopped).reverse();
  for (const entry of left) {
    try {
      await entry.stop();
    } catch (err) {
      process.stderr.write(`[hangar-testing] ${testPath}: stopping ${entry.what} failed: ${err?.message ?? err}\n`);
    }
  }
  if (left.length > 0) {
    // A server and the fixture around it share a name: each named once.
    const names = [...new Set(left.map((e) => e.what))];
    process.stderr.write(`[hangar-testing] ${testPath}: stopped what its hooks left running: ${names.join(', ')}\n`);
  }
  return left.map((e) => e.what);
}
