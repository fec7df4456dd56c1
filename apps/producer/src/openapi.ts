import { openApiDocument } from '@hookline/api';
import { Router } from 'express';

/**
 * `GET /openapi.json`, no auth: the OpenAPI 3.1 document of every `/v1` route, generated from
 * `@hookline/api`'s route table and schemas. It is computed once, when the app is built: it
 * depends on nothing but the code.
 */
export function openApiRoutes(): Router {
  const router = Router();
  const body = JSON.stringify(openApiDocument());
  router.get('/openapi.json', (_req, res) => {
    // A public description of a public contract: let browser tools (Swagger UI, Redoc, an
    // editor on another origin) fetch it.
    res.set('Access-Control-Allow-Origin', '*').type('application/json').send(body);
  });
  return router;
}
