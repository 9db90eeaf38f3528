import type { IncomingMessage } from 'node:http';

/**
 * Headers that proxies, load balancers and CDNs add (RFC 7239 `Forwarded`, `Via`, and the de-facto
 * `X-Forwarded-*`, `X-Real-IP`, `True-Client-IP`, `CF-Connecting-IP`, …): any of them means the request
 * did not come straight from this machine.
 */
const PROXY_HEADER =
  /^(?:forwarded|via|x-forwarded-.+|x-original-.+|x-real-ip|x-client-ip|client-ip|true-client-ip|cf-connecting-ip|cf-ipcountry|x-cluster-client-ip|fastly-client-ip|x-proxyuser-ip|x-originating-ip|x-remote-.+|x-envoy-.+|x-azure-.+|x-arr-.+|x-host)$/;

/** `localhost`, `127.x.x.x` or `[::1]`, with or without a port. */
const LOOPBACK_HOST = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d{1,5})?$/i;

/**
 * True when the request comes straight from this machine: a loopback address, a loopback `Host` (a
 * page on another site that a browser here was made to call through DNS rebinding names its own host)
 * and no proxy header at all.
 */
export function isDirectLoopback(req: IncomingMessage): boolean {
  const addr = req.socket.remoteAddress ?? '';
  const loopback = addr === '::1' || addr.startsWith('127.') || addr.startsWith('::ffff:127.');
  if (!loopback || !LOOPBACK_HOST.test(req.headers.host ?? '')) return false;
  return !Object.keys(req.headers).some((h) => PROXY_HEADER.test(h.toLowerCase()));
}
