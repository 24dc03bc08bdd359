import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { errorMessage } from '../errors.js';
import type { FfmpegTools } from '../media/ffmpeg.js';
import { registerApi } from './api.js';
import type { Credentials } from './auth.js';
import { guard } from './guard.js';
import { registerPages } from './pages.js';
import { registerReview } from './review-routes.js';
import type { ReviewHost } from './review-host.js';
import type { JobStore } from './store.js';
import { HttpError, type UploadLimits } from './upload.js';

export interface ServerParts {
  store: JobStore;
  credentials: Credentials;
  reviews: ReviewHost;
  tools: FfmpegTools;
  limits: UploadLimits & { retention: number; maxUploads: number };
  /** The port serve listens on, once it does, when the Host header must name loopback (127.0.0.1 without --auth). */
  loopbackPort: (() => number) | undefined;
  version: string;
  /** Where serve notes each refused upload, with its reason. */
  log?: (line: string) => void;
}

/**
 * serve's HTTP app (fastify): the guard on every request, the JSON API and its OpenAPI document
 * (generated from the same zod schemas that check the requests), the pages, and the review editors.
 */
export async function buildServer(p: ServerParts): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 1 << 20 });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler((err: FastifyError, _req, reply) => {
    const status = err instanceof HttpError ? err.status : err.validation ? 400 : (err.statusCode ?? 500);
    void reply.code(status).send({ error: errorMessage(err) });
  });
  app.setNotFoundHandler((req, reply) => void reply.code(404).send({ error: `not found: ${req.method} ${req.url.split('?')[0]}` }));
  app.addHook('onRequest', guard({ credentials: p.credentials, loopbackPort: p.loopbackPort }));
  await app.register(multipart, {
    // Sizes are checked per file by the handler (file.truncated), so that one large file does not stop the others.
    throwFileSizeLimit: false,
    limits: { fileSize: p.limits.maxBytes, files: 100, fields: 10, fieldSize: 64 * 1024, parts: 110 },
  });
  await app.register(swagger, {
    openapi: {
      info: { title: 'faceblur serve', version: p.version, description: 'Upload videos and photos, anonymize their faces, download the results.' },
      components: {
        securitySchemes: {
          token: { type: 'http', scheme: 'bearer', description: 'the access token, or the session a sign-in made' },
          tokenQuery: { type: 'apiKey', in: 'query', name: 'token', description: 'the same, in the address (as the pages use it)' },
          basic: { type: 'http', scheme: 'basic', description: 'a user of the --auth file' },
        },
      },
    },
    // The document describes the API; the pages and the review editor stay out of it.
    transform: (route) => (route.url.startsWith('/api/') ? jsonSchemaTransform(route) : { schema: { ...route.schema, hide: true }, url: route.url }),
    transformObject: jsonSchemaTransformObject,
  });
  registerApi(app, { store: p.store, tools: p.tools, limits: p.limits, onDelete: (id) => p.reviews.close(id), ...(p.log ? { log: p.log } : {}) });
  registerPages(app, p.credentials);
  await app.register(registerReview, { store: p.store, reviews: p.reviews });
  return app;
}
