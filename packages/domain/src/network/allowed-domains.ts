import { matchesDomainPattern } from './proxy-routes.js';

/**
 * `browserSettings.allowedDomains`: where a session's pages may go. The entries use the syntax of
 * a proxy rule's `domainPattern` (network/proxy-routes.ts), but a bare name is a domain, not one
 * host: `example.com` allows example.com and all of its subdomains, as a user listing a site means.
 * `*.example.com` allows the subdomains only, `*` anything. Only top-level navigations are judged;
 * what a page loads (its images, scripts, iframes) is not.
 */
export function navigationAllowed(allowedDomains: readonly string[] | undefined, host: string): boolean {
  if (allowedDomains === undefined) return true;
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return allowedDomains.some((entry) => {
    const pattern = entry.toLowerCase();
    return matchesDomainPattern(pattern === '*' || pattern.startsWith('*.') || pattern.startsWith('.') ? pattern : `.${pattern}`, bare);
  });
}
