import type { FastifyInstance } from 'fastify';
import type { ReviewHost } from './review-host.js';
import type { JobStore } from './store.js';

/**
 * `/jobs/<id>/review/…`: the review editor of a finished job, behind serve's guard. The editor's
 * own routes read their request bodies themselves, so this plugin (an encapsulated fastify
 * context) parses none and hands the raw request over.
 */
export async function registerReview(app: FastifyInstance, o: { store: JobStore; reviews: ReviewHost }): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, _payload, done) => done(null));
  app.get('/jobs/:id/review', async (req, reply) => reply.redirect(`${req.url.replace(/^([^?]*)/, '$1/')}`, 301));
  app.route({
    method: ['GET', 'POST'],
    url: '/jobs/:id/review/*',
    handler: async (req, reply) => {
      const { id } = req.params as { id: string };
      const view = await o.store.get(id);
      if (!view) return reply.code(404).send({ error: `no job ${id}` });
      if (view.status !== 'done') return reply.code(409).send({ error: `job ${id} is ${view.status}: review opens once it is done` });
      const url = new URL(req.url, 'http://127.0.0.1');
      const path = url.pathname.slice(`/jobs/${id}/review`.length) || '/';
      reply.hijack();
      await o.reviews.handle(await o.store.record(id), req.raw, reply.raw, path, url.search, url.searchParams.get('token') ?? '');
    },
  });
}
