/** A model the local Ollama server has pulled, as reported by `GET /api/tags`. */
export interface PulledModel {
  /** As `/api/tags` names it, e.g. `llama3.2:3b`, `mistral:latest`. */
  readonly name: string;
  /** Size on disk in bytes (0 when not reported). */
  readonly sizeBytes: number;
  /** `details.parameter_size`, e.g. `3.2B`. */
  readonly parameterSize?: string;
  /** `details.quantization_level`, e.g. `Q4_K_M`. */
  readonly quantization?: string;
  /** `details.family`, e.g. `llama`. */
  readonly family?: string;
  /** `parameterCount()` of this model (0 = unknown, sorts last). */
  readonly parameters: number;
  /** `capabilities` (`completion`, `embedding`, `tools`, ...), when the server lists them (newer servers). */
  readonly capabilities?: readonly string[];
}

/** Connect and read timeouts, in seconds (fractions allowed). */
export interface Timeouts {
  /** Time to establish the TCP connection; keep it short so a dead server fails fast. */
  readonly connect: number;
  /** Time to wait for response headers and between body chunks. */
  readonly read: number;
}
