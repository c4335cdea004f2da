import { startTestNats, startTestPostgres, type TestNats, type TestPostgres } from '@hangar/testing';

// The pattern: the hook times out while the servers are still starting, so nothing is
// assigned and the afterAll stops nothing. The test environment stops them once they are up.
let nats: TestNats | undefined;
let postgres: TestPostgres | undefined;
beforeAll(async () => {
  [nats, postgres] = await Promise.all([startTestNats(), startTestPostgres()]);
}, 50);
afterAll(async () => {
  await nats?.stop();
  await postgres?.stop();
});

it('never runs: its setup timed out', () => undefined);
