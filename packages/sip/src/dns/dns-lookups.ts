/**
 * The four DNS questions RFC 3263 asks (NAPTR, SRV, A, AAAA) behind one small interface,
 * answered by node:dns `Resolver` (c-ares, real DNS over UDP/TCP) with optional servers.
 * "No such name" and "no data" are empty answers; other failures (timeouts, SERVFAIL)
 * are treated the same way so location can go on with the next step (§4.1 falls through
 * NAPTR → SRV → A), which is the only sensible reading when a server does not answer.
 */
import { Resolver } from 'node:dns/promises';

export interface NaptrRecord {
  flags: string;
  service: string;
  regexp: string;
  replacement: string;
  order: number;
  preference: number;
}

export interface DnsLookups {
  naptr(name: string): Promise<NaptrRecord[]>;
  srv(
    name: string,
  ): Promise<Array<{ name: string; port: number; priority: number; weight: number }>>;
  a(name: string): Promise<string[]>;
  aaaa(name: string): Promise<string[]>;
}

export interface ResolverLookupOptions {
  /** "ip" or "ip:port" / "[ipv6]:port"; default: the system's resolvers. */
  servers?: readonly string[];
  timeoutMs?: number;
  tries?: number;
}

export function resolverLookups(options: ResolverLookupOptions = {}): DnsLookups {
  const resolver = new Resolver({ timeout: options.timeoutMs ?? 2000, tries: options.tries ?? 2 });
  if (options.servers !== undefined) resolver.setServers([...options.servers]);
  const orEmpty = async <T>(question: Promise<T[]>): Promise<T[]> => {
    try {
      return await question;
    } catch {
      return [];
    }
  };
  return {
    naptr: (name) => orEmpty(resolver.resolveNaptr(name)),
    srv: (name) => orEmpty(resolver.resolveSrv(name)),
    a: (name) => orEmpty(resolver.resolve4(name)),
    aaaa: (name) => orEmpty(resolver.resolve6(name)),
  };
}
