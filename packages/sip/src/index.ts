/** @uketsuke/sip — RFC 3261 SIP stack. Public API. */
export { isSipParseError, SipErrorCode, SipParseError } from './errors.ts';
export { isToken } from './grammar/charsets.ts';
export type { Params } from './grammar/params.ts';
export { formatParams, parseParams } from './grammar/params.ts';
export { quote, unquote } from './grammar/quoted-string.ts';
export { splitList } from './grammar/split-list.ts';
export type { ContactList } from './headers/contact.ts';
export { parseContacts } from './headers/contact.ts';
export type { NameAddr } from './headers/name-addr.ts';
export { formatNameAddr, parseNameAddr, tagOf } from './headers/name-addr.ts';
export type { CSeq } from './headers/scalar-headers.ts';
export {
  formatCSeq,
  parseCallId,
  parseContentLength,
  parseCSeq,
  parseMaxForwards,
} from './headers/scalar-headers.ts';
export type { Via } from './headers/via.ts';
export {
  BRANCH_MAGIC_COOKIE,
  formatVia,
  hasRfc3261Branch,
  parseVia,
  viaBranch,
  viaRport,
} from './headers/via.ts';
export type { ResponseOptions } from './message/create-response.ts';
export { createResponse } from './message/create-response.ts';
export { canonicalName, headerKey } from './message/header-names.ts';
export type { ParseOptions } from './message/parse-message.ts';
export { parseMessage } from './message/parse-message.ts';
export type { SerializeOptions } from './message/serialize-message.ts';
export { serializeHead, serializeMessage } from './message/serialize-message.ts';
export type { HeaderField } from './message/sip-headers.ts';
export { SipHeaders } from './message/sip-headers.ts';
export type { SipMessage } from './message/sip-message.ts';
export { SIP_VERSION, SipRequest, SipResponse } from './message/sip-message.ts';
export { REASON_PHRASES, reasonPhrase } from './message/status-reasons.ts';
export type { FramerOutput, StreamFramerOptions } from './message/stream-framer.ts';
export { SipStreamFramer } from './message/stream-framer.ts';
export { formatUri } from './uri/format-uri.ts';
export { parseSipUriText, parseUri } from './uri/parse-uri.ts';
export type { AbsoluteUri, SipUri, TelUri, Uri, UriParams } from './uri/uri-types.ts';
export { isSipUri } from './uri/uri-types.ts';
export { uriEquals } from './uri/uri-equals.ts';
export type { ValidationOptions } from './validation/validate-message.ts';
export {
  validateDatagram,
  validateMessage,
  verdictForParseError,
} from './validation/validate-message.ts';
export type { Refusal, Verdict } from './validation/verdict.ts';
export { SipStackError } from './errors.ts';
export type { Clock, TimerHandle } from './clock/clock.ts';
export { systemClock } from './clock/clock.ts';
export { ManualClock } from './clock/manual-clock.ts';
export { buildNon2xxAck } from './transaction/build-ack.ts';
export { buildCancel } from './transaction/build-cancel.ts';
export type { InviteClientState } from './transaction/invite-client-transaction.ts';
export { InviteClientTransaction } from './transaction/invite-client-transaction.ts';
export type {
  InviteServerOptions,
  InviteServerState,
} from './transaction/invite-server-transaction.ts';
export { InviteServerTransaction } from './transaction/invite-server-transaction.ts';
export type { NonInviteClientState } from './transaction/non-invite-client-transaction.ts';
export { NonInviteClientTransaction } from './transaction/non-invite-client-transaction.ts';
export type { NonInviteServerState } from './transaction/non-invite-server-transaction.ts';
export { NonInviteServerTransaction } from './transaction/non-invite-server-transaction.ts';
export type { TransitionTable } from './transaction/state-machine.ts';
export { StateMachine } from './transaction/state-machine.ts';
export type { TimerConfig } from './transaction/timer-values.ts';
export { DEFAULT_TIMERS, timerValues } from './transaction/timer-values.ts';
export { cancelTargetKey, clientKey, serverKey } from './transaction/transaction-key.ts';
export type {
  ClientTransaction,
  ServerTransaction,
  TransactionLayerOptions,
} from './transaction/transaction-layer.ts';
export { TransactionLayer } from './transaction/transaction-layer.ts';
export type {
  Channel,
  ClientTransactionUser,
  ServerTransactionUser,
  TransactionContext,
} from './transaction/transaction-types.ts';
export type {
  LoopbackFaults,
  LoopbackReceiver,
  LoopbackStats,
} from './transport/loopback-network.ts';
export { LoopbackNetwork } from './transport/loopback-network.ts';
export { isLoopback, isUnsafeDestination } from './transport/destination-guard.ts';
export type { SocketAddress } from './transport/response-routing.ts';
export { responseDestination, stampVia } from './transport/response-routing.ts';
export type {
  UdpTransportHandler,
  UdpTransportOptions,
} from './transport/udp-transport.ts';
export { UdpTransport } from './transport/udp-transport.ts';
export type { StatelessReply } from './transport/stateless-reply.ts';
export { statelessReply } from './transport/stateless-reply.ts';
export type {
  TcpTransportHandler,
  TcpTransportOptions,
} from './transport/tcp-transport.ts';
export { TcpTransport } from './transport/tcp-transport.ts';
export type {
  Invite2xxRetransmitterEvents,
  RetransmitterState,
} from './transaction/invite-2xx-retransmitter.ts';
export { Invite2xxRetransmitter } from './transaction/invite-2xx-retransmitter.ts';
export type { AuthHeader } from './auth/auth-header.ts';
export { formatAuthHeader, parseAuthHeader } from './auth/auth-header.ts';
export type { DigestAlgorithm, DigestInput } from './auth/digest.ts';
export { computeDigestResponse, digestHa1, verifyDigest } from './auth/digest.ts';
export type { DialogId, DialogState, InDialogRequestOptions } from './dialog/dialog.ts';
export { Dialog, dialogKey } from './dialog/dialog.ts';
export type { RandomHex } from './transaction/identifiers.ts';
export {
  createBranch,
  createCallId,
  createTag,
  cryptoRandomHex,
} from './transaction/identifiers.ts';
export type { MessageSocket, WebSocketSipHandler } from './transport/websocket-connection.ts';
export { WebSocketSipConnection } from './transport/websocket-connection.ts';
export type {
  EndpointReceiver,
  EndpointTransport,
} from './ua/endpoint-transport.ts';
export { hostPort } from './ua/endpoint-transport.ts';
export type { RejectOptions, RingOptions } from './ua/incoming-invite-session.ts';
export { IncomingInviteSession } from './ua/incoming-invite-session.ts';
export type { ReinviteResult } from './ua/invite-session.ts';
export { InviteSession, sdpOf } from './ua/invite-session.ts';
export { LoopbackEndpointTransport } from './ua/loopback-endpoint-transport.ts';
export { OutgoingInviteSession } from './ua/outgoing-invite-session.ts';
export type {
  EndReason,
  InfoRequest,
  InviteSessionEvents,
  ReinviteOffer,
  SessionEnd,
} from './ua/session-events.ts';
export type { SessionState } from './ua/session-state.ts';
export type {
  OutgoingCallOptions,
  Refuse,
  SipEndpointEvents,
  SipEndpointOptions,
} from './ua/endpoint-options.ts';
export { SipEndpoint } from './ua/sip-endpoint.ts';
export { TcpEndpointTransport } from './ua/tcp-endpoint-transport.ts';
export { UdpEndpointTransport } from './ua/udp-endpoint-transport.ts';
export { nextHop, uriDestination } from './ua/uri-destination.ts';
export type { Binding, BindingStore } from './registrar/binding-store.ts';
export { MemoryBindingStore } from './registrar/binding-store.ts';
export type {
  AuthResult,
  AuthRole,
  CredentialLookup,
  DigestAuthenticatorOptions,
  StoredSecret,
} from './registrar/digest-authenticator.ts';
export { DigestAuthenticator } from './registrar/digest-authenticator.ts';
export type { NonceCheck, NonceStoreOptions } from './registrar/nonce-store.ts';
export { NonceStore } from './registrar/nonce-store.ts';
export type { RegistrarOptions } from './registrar/registrar.ts';
export { addressOfRecord, Registrar } from './registrar/registrar.ts';
export type { ClientCredentials } from './ua/digest-client.ts';
export { answerChallenge, pickChallenge } from './ua/digest-client.ts';
export type {
  RegistrationEvents,
  RegistrationOptions,
  RegistrationState,
} from './ua/registration-client.ts';
export { RegistrationClient } from './ua/registration-client.ts';
export type { SessionTimerOffer, SessionTimerPolicy } from './ua/session-timer.ts';
export { negotiateSessionTimer, sessionTimerHeaders } from './ua/session-timer.ts';
export type { StreamDestination, StreamSockets } from './transport/tcp-transport.ts';
export { StreamTransport } from './transport/tcp-transport.ts';
export type {
  TlsDestination,
  TlsTransportHandler,
  TlsTransportOptions,
} from './transport/tls-transport.ts';
export { TlsTransport } from './transport/tls-transport.ts';
export type {
  WebSocketListenOptions,
  WebSocketTransportHandler,
  WebSocketTransportOptions,
} from './transport/websocket-transport.ts';
export { SIP_SUBPROTOCOL, WebSocketTransport } from './transport/websocket-transport.ts';
export { TlsEndpointTransport } from './ua/tls-endpoint-transport.ts';
export type { WebSocketEndpointEvents } from './ua/websocket-endpoint-transport.ts';
export { WebSocketEndpointTransport } from './ua/websocket-endpoint-transport.ts';
export type { DnsLookups, NaptrRecord, ResolverLookupOptions } from './dns/dns-lookups.ts';
export { resolverLookups } from './dns/dns-lookups.ts';
export type {
  ServerLocatorOptions,
  SipTarget,
  SipTransportName,
} from './dns/server-locator.ts';
export { ServerLocator } from './dns/server-locator.ts';
export type { RandomUnit, SrvRecord } from './dns/srv-order.ts';
export { orderSrv } from './dns/srv-order.ts';
export { optionTags, peerSupports, SUPPORTED_OPTION_TAGS } from './ua/option-tags.ts';
export type { RAck } from './ua/reliable-provisionals.ts';
export { parseRAck, parseRSeq } from './ua/reliable-provisionals.ts';
export type { OutgoingReferEvents, ReferOutcome, ReferProgress } from './ua/refer.ts';
export { IncomingRefer, OutgoingRefer, parseSipfragStatus } from './ua/refer.ts';
export type { ReferOptions } from './ua/dialog-refers.ts';
export type { InDialogRequestResult, SessionRequestOptions } from './ua/in-dialog-request.ts';
export type {
  IncomingMessage,
  MessageResult,
  OutgoingMessageOptions,
} from './ua/out-of-dialog-message.ts';
export type {
  B2buaCallEvents,
  B2buaCallState,
  B2buaEnd,
  B2buaHooks,
  B2buaRoute,
  OpenLeg,
  SdpDirection,
} from './b2bua/b2bua-call.ts';
export { B2buaCall } from './b2bua/b2bua-call.ts';
export type { B2buaEvents } from './b2bua/b2bua.ts';
export { B2bua } from './b2bua/b2bua.ts';
