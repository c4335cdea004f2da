import { createSessionCommand } from './commands/create-session.command.js';
import { startSessionCommand } from './commands/start-session.command.js';
import { createSessionBodySchema, sessionSettingsFromBody } from './create-session.body.js';
import { SessionRequested } from './events/session-requested.event.js';

const settingsOf = (body: unknown) => sessionSettingsFromBody(createSessionBodySchema.parse(body));

describe('one create-session shape', () => {
  const body = {
    extensionId: 'ext-1',
    keepAlive: true,
    timeout: 600,
    region: 'eu-central-1',
    userMetadata: { run: { id: 'r-1' } },
    proxies: [{ type: 'external', server: 'http://proxy:8080' }],
    browserSettings: { context: { id: 'ctx-1', persist: true }, os: 'linux', captchaImageSelector: '#img', captchaInputSelector: '#in' },
  };

  it('the body becomes settings with each value in one place and the defaults written in', () => {
    expect(settingsOf(body)).toEqual({
      keepAlive: true,
      timeoutSeconds: 600,
      region: 'eu-central-1',
      userMetadata: { run: { id: 'r-1' } },
      proxies: [{ type: 'external', server: 'http://proxy:8080' }],
      browserSettings: {
        context: { id: 'ctx-1', persist: true },
        extensionId: 'ext-1',
        os: 'linux',
        captchaImageSelector: '#img',
        captchaInputSelector: '#in',
        recordSession: true,
        logSession: true,
        ignoreCertificateErrors: true,
      },
    });
  });

  it('the create command and SessionRequested carry those settings unchanged', () => {
    const settings = settingsOf(body);
    expect(createSessionCommand.parse({ correlationId: 'c', projectId: 'p', ...settings })).toEqual({ correlationId: 'c', projectId: 'p', ...settings });
    const requested = SessionRequested.create(
      { sessionId: 's', projectId: 'p', ...settings, timeoutSeconds: 600, expiresAt: new Date().toISOString() },
      { correlationId: 'c' },
    );
    expect(requested.data).toMatchObject(settings);
    // Nothing but the settings' own places: no top-level copies of the context or extension id.
    expect(requested.data).not.toHaveProperty('contextId');
    expect(requested.data).not.toHaveProperty('extensionId');
  });

  it('an absent timeout stays absent for the scheduler to fill', () => {
    expect(settingsOf({})).not.toHaveProperty('timeoutSeconds');
    expect(createSessionCommand.parse({ correlationId: 'c', projectId: 'p', ...settingsOf({}) })).not.toHaveProperty('timeoutSeconds');
  });

  it('a SessionRequested written before the one shape still reads, its top-level copies dropped', () => {
    const old = {
      id: 'e1',
      type: 'SessionRequested',
      version: 1,
      occurredAt: new Date().toISOString(),
      metadata: { correlationId: 'c' },
      data: {
        sessionId: 's',
        projectId: 'p',
        keepAlive: false,
        timeoutSeconds: 300,
        region: 'us-west-2',
        expiresAt: new Date().toISOString(),
        contextId: 'ctx',
        extensionId: 'ext',
        browserSettings: { context: { id: 'ctx' }, recordSession: true, logSession: true, ignoreCertificateErrors: true },
      },
    };
    const parsed = SessionRequested.schema.parse(old);
    expect(parsed.data.browserSettings.context).toEqual({ id: 'ctx' });
    expect(parsed.data).not.toHaveProperty('contextId');
  });

  it('the start command does not repeat the settings', () => {
    const parsed = startSessionCommand.parse({ correlationId: 'c', sessionId: 's', projectId: 'p', browserSettings: { os: 'linux' } });
    expect(parsed).toEqual({ correlationId: 'c', sessionId: 's', projectId: 'p' });
  });
});
