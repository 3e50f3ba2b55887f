/**
 * Errors Fastify and Node answer before any route or error handler runs — a
 * URL the router cannot decode, a path parameter over the router's length
 * limit, a request the HTTP parser cannot read — in the API's one error shape
 * (errors.ts) instead of the frameworks' own bodies. Found by the HTTP fuzz
 * test (test/faults/http-fuzz.test.ts).
 */
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from './errors.js';
import { SECURITY_HEADERS } from './security-headers.js';

/** Fastify's `frameworkErrors` option: FST_ERR_BAD_URL, FST_ERR_MAX_PARAM_LENGTH, FST_ERR_ASYNC_CONSTRAINT. */
export function frameworkErrors(err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  reply.headers(SECURITY_HEADERS);
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    void sendError(reply, 414, 'uri_too_long', 'A path segment is too long: query ids look like q_xxxxxxxx, shard names are at most 63 characters.');
    return;
  }
  void sendError(reply, 400, 'bad_url', 'The URL could not be decoded: check its percent-encoding (see docs/api.md for the routes).');
}

/**
 * Fastify's `clientErrorHandler` option: the socket-level answer to a request
 * Node's HTTP parser rejected (a body without framing, a broken header). The
 * connection cannot be trusted afterwards, so it is closed, as Node does.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, code, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'headers_too_large', 'The request headers are too large: send fewer or shorter headers.']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'request_timeout', 'The request was not received in time: send it again, completely.']
        : [400, 'Bad Request', 'malformed_http', 'The request is not valid HTTP/1.1 (a body needs Content-Length or chunked encoding): fix the client and retry.'];
  const body = JSON.stringify({ error: { code, message } });
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nX-Content-Type-Options: nosniff\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy();
}
