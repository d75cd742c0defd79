/**
 * One HTTP POST to a chat or webhook API, classified for the delivery worker:
 *   2xx → sent;  429, 408, 425, 5xx, network errors → retry (Retry-After honoured, as
 *   seconds or an HTTP date, RFC 9110 §10.2.3);  any other 4xx → permanent failure.
 */
import type { SendResult } from './sender.ts';

export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export async function postAndClassify(
  url: string,
  init: { headers: Record<string, string>; body: string },
  timeoutMs = 15_000,
): Promise<{ result: SendResult; response?: Response }> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: init.headers,
      body: init.body,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
  } catch (err) {
    return {
      result: {
        ok: false,
        permanent: false,
        error: `network: ${(err as Error).message}`.slice(0, 500),
      },
    };
  }
  const text = (await response.text().catch(() => '')).slice(0, 300);
  if (response.ok) return { result: { ok: true, detail: text }, response };
  const transient =
    response.status === 429 ||
    response.status === 408 ||
    response.status === 425 ||
    response.status >= 500;
  const wait = retryAfterMs(response.headers.get('retry-after'), Date.now());
  return {
    result: {
      ok: false,
      permanent: !transient,
      error: `${response.status}: ${text}`,
      ...(wait !== undefined ? { retryAfterMs: wait } : {}),
    },
    response,
  };
}
