/** The API's one error shape: { error: { code, message } }. */
import type { FastifyReply } from 'fastify';
import type { ApiErrorBody } from '../../../shared/api/errors.js';

export function sendError(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  const body: ApiErrorBody = { error: { code, message } };
  return reply.code(status).type('application/json').send(body);
}
