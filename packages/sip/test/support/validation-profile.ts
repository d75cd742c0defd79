/** The validation options of a typical UAS, used by the RFC 4475 and fuzz suites. */
import type { ValidationOptions } from '../../src/index.ts';

const STANDARD_METHODS = new Set([
  'INVITE',
  'ACK',
  'BYE',
  'CANCEL',
  'OPTIONS',
  'REGISTER',
  'PRACK',
  'SUBSCRIBE',
  'NOTIFY',
  'PUBLISH',
  'INFO',
  'REFER',
  'MESSAGE',
  'UPDATE',
]);

export const UAS_PROFILE: ValidationOptions = {
  role: 'uas',
  isMethodSupported: (m) => STANDARD_METHODS.has(m),
  isExtensionSupported: (tag) => tag === '100rel' || tag === 'timer' || tag === 'replaces',
  acceptedContentTypes: ['application/sdp', 'multipart/mixed', 'text/plain'],
  responseContentTypes: (m) => (m === 'INVITE' ? ['application/sdp'] : undefined),
};
