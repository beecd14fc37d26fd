// Hostnames and domains as the model stores them: lower-cased, and a name
// written with one trailing dot (`example.com.`, as in zone files) is the same
// host as without it (LANGUAGE.md §1), so generators never see the dot.

/** Lower-case a hostname, domain, domain pattern or DNS zone and strip one trailing dot. */
export function normalizeHost(text: string): string {
  const t = text.toLowerCase();
  // a char test, not a regex: this runs for every pattern of every statement
  return t.length > 1 && t.charCodeAt(t.length - 1) === 46 /* . */ ? t.slice(0, -1) : t;
}
