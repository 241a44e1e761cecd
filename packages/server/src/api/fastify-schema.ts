// Route schemas carry a description: the OpenAPI document is generated from these same schemas.
declare module "fastify" {
  interface FastifySchema {
    description?: string;
    summary?: string;
    tags?: string[];
    /**
     * A page for people (the dashboard, the rendered reference), left out of the OpenAPI
     * document so that a client generator makes no method of it (`@fastify/swagger`'s flag).
     */
    hide?: boolean;
  }
}

export {};
