import type { IncomingMessage } from 'node:http';

const PROXY_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip', 'x-forwarded-host', 'x-forwarded-proto'];

/** True when the request comes straight from this machine: a loopback address and no proxy header. */
export function isDirectLoopback(req: IncomingMessage): boolean {
  const addr = req.socket.remoteAddress ?? '';
  const loopback = addr === '::1' || addr.startsWith('127.') || addr.startsWith('::ffff:127.');
  return loopback && !PROXY_HEADERS.some((h) => req.headers[h] !== undefined);
}
