import { fixTaintCheck, recorderScript } from './recorder-script.js';

describe('recorder script', () => {
  it("tests Element's querySelector as a method in rrweb's prototype check (rrweb-io/rrweb#1802)", () => {
    const script = recorderScript();
    expect(script).not.toContain('Element:["shadowRoot","querySelector","querySelectorAll"]');
    expect(script.match(/Element:\["querySelector","querySelectorAll"\]/g)).toHaveLength(1);
    expect(script).not.toContain('sourceMappingURL=record.umd');
  });

  it('refuses a bundle whose prototype check it does not recognise', () => {
    expect(() => fixTaintCheck('var a={Element:["shadowRoot"]}')).toThrow(/not the one/);
  });
});
