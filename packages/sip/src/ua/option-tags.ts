/**
 * Option tags (RFC 3261 §19.2, §20.32, §20.37, §20.40): which extensions a message
 * Supports or Requires, and the ones this stack implements.
 */
import type { SipMessage } from '../message/sip-message.ts';

/** Extensions we implement: RFC 3262 reliable provisionals, RFC 4028 timers, RFC 4488. */
export const SUPPORTED_OPTION_TAGS: readonly string[] = ['100rel', 'timer', 'norefersub'];

/** The Supported header value of our responses. */
export const SUPPORTED_HEADER = SUPPORTED_OPTION_TAGS.join(', ');

export function isSupportedOptionTag(tag: string): boolean {
  return SUPPORTED_OPTION_TAGS.includes(tag.toLowerCase());
}

/** The option tags listed in every `header` field of `msg`, lower-cased. */
export function optionTags(msg: SipMessage, header: 'supported' | 'require'): string[] {
  return msg.headers
    .values(header)
    .flatMap((v) => v.split(','))
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t !== '');
}

/** True when `msg` lists `tag` in its `header` fields. */
export function hasOptionTag(
  msg: SipMessage,
  header: 'supported' | 'require',
  tag: string,
): boolean {
  return optionTags(msg, header).includes(tag);
}

/** The peer can take `tag`: it is in Supported or Require. */
export function peerSupports(msg: SipMessage, tag: string): boolean {
  return hasOptionTag(msg, 'supported', tag) || hasOptionTag(msg, 'require', tag);
}
