/** Canonical wire form of a URI (RFC 3261 §19.1.1), escaping per component. */
import { HNV, PARAM, PASSWORD, USER } from '../grammar/charsets.ts';
import { percentEncode } from './percent-encoding.ts';
import type { Uri, UriParams } from './uri-types.ts';

function formatUriParams(params: UriParams): string {
  let out = '';
  for (const [name, value] of params) {
    out += `;${percentEncode(name, PARAM)}`;
    if (value !== null) out += `=${percentEncode(value, PARAM)}`;
  }
  return out;
}

export function formatUri(uri: Uri): string {
  switch (uri.kind) {
    case 'absolute':
      return `${uri.scheme}:${uri.opaque}`;
    case 'tel':
      return `tel:${uri.number}${formatUriParams(uri.params)}`;
    case 'sip': {
      let out = `${uri.scheme}:`;
      if (uri.user !== undefined) {
        out += percentEncode(uri.user, USER);
        if (uri.password !== undefined) out += `:${percentEncode(uri.password, PASSWORD)}`;
        out += '@';
      }
      out += uri.host;
      if (uri.port !== undefined) out += `:${uri.port}`;
      out += formatUriParams(uri.params);
      if (uri.headers.length > 0) {
        out += `?${uri.headers.map(([n, v]) => `${percentEncode(n, HNV)}=${percentEncode(v, HNV)}`).join('&')}`;
      }
      return out;
    }
  }
}
