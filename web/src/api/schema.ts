// The API's shapes, from its OpenAPI document: schema.gen.ts is generated
// by the build (npm run gen) from the document GET /v1/openapi.json serves,
// so a type here cannot drift from the contract the API is tested against.
import type { components, operations } from "./schema.gen";

/** Schemas are the document's components.schemas, by name. */
export type Schemas = components["schemas"];

type JSONBody<R> = R extends { content: { "application/json": infer T } } ? T : never;

/**
 * Answer is the JSON body of an operation's response (by operationId),
 * 200 unless another status is named.
 */
export type Answer<
  Op extends keyof operations,
  Status extends keyof operations[Op]["responses"] = 200 & keyof operations[Op]["responses"],
> = JSONBody<operations[Op]["responses"][Status]>;
