// The one catalogue of stable error codes. Every code flowbridge returns or records is
// declared here with the HTTP status it maps to and a one-line meaning. Codes never
// change meaning once released; add new ones instead. Sections per area keep edits
// from different areas apart.

export interface ErrorCodeInfo {
  /** HTTP status the API answers with when this error ends a request. */
  status: number;
  /** What the code means, for docs and for messages when no better one exists. */
  meaning: string;
}

export const ERROR_CODES = {
  // --- general API ---
  ERR_BAD_REQUEST: { status: 400, meaning: 'The request is malformed' },
  ERR_BODY_INVALID_JSON: { status: 400, meaning: 'The request body is not valid JSON' },
  ERR_BODY_TOO_LARGE: { status: 413, meaning: 'The request body exceeds the size limit' },
  ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, meaning: 'The Content-Type is not accepted here' },
  ERR_VALIDATION: { status: 400, meaning: 'The request does not match the expected shape' },
  ERR_UNAUTHORIZED: { status: 401, meaning: 'A valid admin token is required' },
  ERR_NOT_FOUND: { status: 404, meaning: 'No such resource' },
  ERR_ROUTE_NOT_FOUND: { status: 404, meaning: 'No such endpoint' },
  ERR_METHOD_NOT_ALLOWED: { status: 405, meaning: 'The method is not allowed on this endpoint' },
  ERR_CONFLICT: { status: 409, meaning: 'The resource changed or already exists' },
  ERR_UNAVAILABLE: { status: 503, meaning: 'A dependency (Redis) is unavailable; retry later' },
  ERR_INTERNAL: { status: 500, meaning: 'An unexpected error; it has been logged' },

  // --- flows: documents, validation, deploy ---
  ERR_FLOW_INVALID: { status: 400, meaning: 'The flow document has problems; see details' },
  ERR_FLOW_SCHEMA: { status: 400, meaning: 'A part of the flow document does not match the FlowDocument schema' },
  ERR_FLOW_DUPLICATE_NODE_ID: { status: 400, meaning: 'Two nodes share one id' },
  ERR_FLOW_UNKNOWN_NODE_TYPE: { status: 400, meaning: 'A node has a type flowbridge does not know' },
  ERR_FLOW_EDGE_UNKNOWN_NODE: { status: 400, meaning: 'An edge refers to a node that does not exist' },
  ERR_FLOW_EDGE_DIRECTION: { status: 400, meaning: 'An edge goes into a source or out of a target' },
  ERR_FLOW_CYCLE: { status: 400, meaning: 'The flow graph has a cycle' },
  ERR_FLOW_NO_SOURCE: { status: 400, meaning: 'The flow has no source node' },
  ERR_FLOW_NO_TARGET: { status: 400, meaning: 'The flow has no target node' },
  ERR_FLOW_UNREACHABLE_NODE: { status: 400, meaning: 'A node is not on any path from a source to a target' },
  ERR_FLOW_NODE_CONFIG: { status: 400, meaning: 'A node configuration is invalid' },
  ERR_FLOW_SOURCE_ID_TAKEN: { status: 409, meaning: 'Another deployed flow already uses this webhook source id' },
  ERR_FLOW_VERSION_CONFLICT: { status: 409, meaning: 'The flow was changed since the version you edited' },
  ERR_FLOW_NOT_DEPLOYED: { status: 409, meaning: 'The flow is not deployed' },

  // --- event patterns ---
  ERR_PATTERN_INVALID: { status: 400, meaning: 'The event pattern is invalid' },

  // --- transforms ---
  ERR_TRANSFORM_INVALID: { status: 400, meaning: 'The transform configuration is invalid' },
  ERR_TRANSFORM_SYNTAX: { status: 400, meaning: 'The transform expression or template does not parse' },
  ERR_TRANSFORM_TOO_LARGE: { status: 400, meaning: 'The transform expression or template exceeds the size limit' },
  ERR_TRANSFORM_RENDER: { status: 422, meaning: 'The transform failed on this event' },
  ERR_TRANSFORM_TIMEOUT: { status: 422, meaning: 'The transform exceeded its time or depth limit' },

  // --- ingest ---
  ERR_INGEST_INVALID_EVENT: { status: 400, meaning: 'The CloudEvent is invalid' },
  ERR_INGEST_UNKNOWN_SOURCE: { status: 404, meaning: 'No deployed webhook source has this id' },
  ERR_INGEST_UNKNOWN_BUS: { status: 404, meaning: 'No bus has this name' },
  ERR_INGEST_EVENT_TOO_LARGE: { status: 413, meaning: 'An event exceeds the event size limit' },
  ERR_INGEST_SIGNATURE: { status: 401, meaning: 'The webhook signature check failed' },
  ERR_INGEST_SIGNATURE_MISSING: { status: 401, meaning: 'A header the signature check needs is missing' },
  ERR_INGEST_SIGNATURE_MALFORMED: { status: 401, meaning: 'The signature or timestamp header does not have the form the scheme defines' },
  ERR_INGEST_SIGNATURE_MISMATCH: { status: 401, meaning: 'No signature in the request matches any configured secret' },
  ERR_INGEST_SIGNATURE_STALE: { status: 401, meaning: 'The signed timestamp is outside the tolerance (a possible replay)' },
  ERR_INGEST_TOKEN: { status: 401, meaning: 'The shared token is missing or does not match' },
  ERR_INGEST_IP_DENIED: { status: 401, meaning: 'The sender address is not in the source allow-list' },
  ERR_INGEST_AUTH_CONFIG: { status: 500, meaning: 'The source authentication settings are unusable; the request was refused' },
  ERR_INGEST_ORIGIN_DENIED: { status: 403, meaning: 'The webhook handshake origin is not allowed on this bus' },
  ERR_INGEST_UNAVAILABLE: { status: 503, meaning: 'The event could not be persisted; nothing was stored; retry' },

  // --- delivery ---
  ERR_DELIVERY_NETWORK: { status: 502, meaning: 'The target could not be reached' },
  ERR_DELIVERY_TIMEOUT: { status: 504, meaning: 'The target did not answer in time' },
  ERR_DELIVERY_HTTP_STATUS: { status: 502, meaning: 'The target answered with an error status' },
  ERR_DELIVERY_TARGET_REFUSED: { status: 400, meaning: 'The target address is not allowed (private, loopback or link-local)' },
  ERR_DELIVERY_RULE_GONE: { status: 409, meaning: 'The rule of this delivery is no longer deployed' },
  ERR_DEAD_LETTER_NOT_FOUND: { status: 404, meaning: 'No dead letter has this id' },
  ERR_DELIVERY_POLICY: { status: 400, meaning: 'A delivery policy setting is invalid for its target' },
  ERR_DELIVERY_ORDERING_KEY: { status: 400, meaning: 'The ordering key is not a JSONPath that selects one value' },
  ERR_DELIVERY_TARGET_DISABLED: { status: 409, meaning: 'The target is disabled (it answered 410 Gone); re-enable it through the API' },
  ERR_DELIVERY_EVENT_TOO_OLD: { status: 409, meaning: 'The event is older than the policy\'s max event age' },
  ERR_DELIVERY_ATTEMPTS_EXHAUSTED: { status: 409, meaning: 'Every attempt the policy allows failed' },
  ERR_DELIVERY_NO_CONNECTOR: { status: 500, meaning: 'No connector for the target type runs in this process' },
  ERR_TARGET_NOT_FOUND: { status: 404, meaning: 'No target has this id' },
  ERR_REDRIVE_NOT_FOUND: { status: 404, meaning: 'No bulk redrive has this id' },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** One problem found in a document, with where it is (`nodes[3].config.expression`). */
export interface Problem {
  code: ErrorCode;
  path: string;
  message: string;
}

/** An error with a stable code; the API maps it to `{error: {code, message, details}}`. */
export class FlowbridgeError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown[];
  readonly status: number;

  constructor(code: ErrorCode, message: string, details: unknown[] = [], status?: number) {
    super(message);
    this.name = 'FlowbridgeError';
    this.code = code;
    this.details = details;
    this.status = status ?? ERROR_CODES[code].status;
  }
}
