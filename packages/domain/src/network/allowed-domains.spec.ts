import { navigationAllowed } from './allowed-domains.js';

describe('navigationAllowed', () => {
  it('allows everything without the setting, nothing with an empty list', () => {
    expect(navigationAllowed(undefined, 'example.com')).toBe(true);
    expect(navigationAllowed([], 'example.com')).toBe(false);
  });

  it('takes a bare name as the domain with its subdomains', () => {
    const allowed = ['Example.com'];
    expect(navigationAllowed(allowed, 'example.com')).toBe(true);
    expect(navigationAllowed(allowed, 'www.example.com')).toBe(true);
    expect(navigationAllowed(allowed, 'a.b.EXAMPLE.com.')).toBe(true);
    expect(navigationAllowed(allowed, 'notexample.com')).toBe(false);
    expect(navigationAllowed(allowed, 'example.com.evil.test')).toBe(false);
  });

  it('takes *.name as its subdomains only, and * as anything', () => {
    expect(navigationAllowed(['*.example.com'], 'example.com')).toBe(false);
    expect(navigationAllowed(['*.example.com'], 'shop.example.com')).toBe(true);
    expect(navigationAllowed(['*'], 'anything.test')).toBe(true);
  });

  it('matches addresses exactly; a URL without a host matches nothing', () => {
    expect(navigationAllowed(['127.0.0.1'], '127.0.0.1')).toBe(true);
    expect(navigationAllowed(['127.0.0.1'], '127.0.0.2')).toBe(false);
    expect(navigationAllowed(['localhost'], '')).toBe(false);
  });
});
