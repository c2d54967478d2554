export { AttestClient, MAX_BATCH_SIZE, type AttestClientOptions, type SendOptions } from './client.js';
export { AttestOperatorClient, type CreateOrganizationInput, type CreatedOrganization, type OperatorClientOptions } from './operator.js';
export { AttestProblemError, ClientClosedError, QueueFullError, RetriesExhaustedError, type Problem } from './errors.js';
export type { AttestEvent, EventFields, EventFieldsBase, EventType, FieldChange, MetadataOf, ProductOf, SentEvent } from './events.js';
export { EVENT_TYPE_PRODUCTS, PRODUCT_AREAS, type EventTypeMap } from './generated/event-types.js';
export type { JsonValue } from './json.js';
export type { RetryOptions } from './retry.js';
