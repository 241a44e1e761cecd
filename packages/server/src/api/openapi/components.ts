/**
 * Shared schemas. A route schema that carries a TypeBox `$id` ("WebhookEndpoint", "Error") is
 * moved to `components.schemas` under that name and replaced by a `$ref`, so the document names
 * each object once and the typed client gets one type per object.
 */
export type JsonSchema = Record<string, unknown>;

export class Components {
  readonly schemas: Record<string, JsonSchema> = {};

  /** A JSON copy of `schema` (TypeBox's symbol keys dropped) with named sub-schemas hoisted. */
  use(schema: unknown): JsonSchema {
    return this.#hoist(JSON.parse(JSON.stringify(schema)) as JsonSchema);
  }

  #hoist(node: unknown): JsonSchema {
    if (Array.isArray(node)) return node.map((item) => this.#hoist(item)) as unknown as JsonSchema;
    if (node === null || typeof node !== "object") return node as JsonSchema;
    const copy: JsonSchema = {};
    for (const [key, value] of Object.entries(node)) {
      // `properties`, `patternProperties` and `$defs` hold names, not schemas: walk their values.
      copy[key] = value !== null && typeof value === "object" ? this.#hoist(value) : value;
    }
    const id = copy.$id;
    if (typeof id !== "string") return copy;
    delete copy.$id;
    this.schemas[id] ??= copy;
    return { $ref: `#/components/schemas/${id}` };
  }
}
