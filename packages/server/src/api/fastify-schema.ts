// Route schemas carry a description: the OpenAPI document is generated from these same schemas.
declare module "fastify" {
  interface FastifySchema {
    description?: string;
    summary?: string;
    tags?: string[];
  }
}

export {};
