// `npm run check:compose`: docker-compose.yml as compose itself reads it (no engine needed):
// with every required secret set it interpolates cleanly, and without any one of them it refuses,
// naming it. Uses Debian's docker-compose (apt-get install docker-compose) or podman-compose.
import { spawnSync } from 'node:child_process';

const secrets = {
  HANGAR_API_KEY: 'hgr_compose_config_check_key',
  HANGAR_SIGNING_SECRET: 'config-check-signing-secret',
  HANGAR_INTERNAL_SECRET: 'config-check-internal-secret',
  HANGAR_CONTEXT_KEY: '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
  POSTGRES_PASSWORD: 'configcheck',
};

const tool = ['docker-compose', 'podman-compose'].find((t) => spawnSync(t, ['version'], { stdio: 'ignore' }).status === 0);
if (!tool) {
  console.error('check:compose needs docker-compose or podman-compose: apt-get install docker-compose');
  process.exit(1);
}

// podman-compose's `config` has no -q and validates less; it still interpolates.
const config = (env) => spawnSync(tool, tool === 'docker-compose' ? ['config', '-q'] : ['config'], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });

const failures = [];
const all = config(secrets);
if (all.status !== 0) failures.push(`with every secret set, ${tool} config failed: ${all.stderr.trim()}`);
for (const name of Object.keys(secrets)) {
  const { [name]: _left, ...rest } = secrets;
  const run = config(rest);
  if (run.status === 0 || !`${run.stderr}${run.stdout}`.includes(`set ${name}`)) failures.push(`without ${name}, ${tool} config did not refuse naming it (exit ${run.status})`);
}
for (const f of failures) console.error(`check:compose: ${f}`);
console.log(`check:compose (${tool}): ${1 + Object.keys(secrets).length - failures.length} passed, ${failures.length} failed`);
process.exit(failures.length > 0 ? 1 : 0);
