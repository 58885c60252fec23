/** What the gateway accepts as an `Idempotency-Key` (and the OpenAPI document shows). */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,128}$/;
