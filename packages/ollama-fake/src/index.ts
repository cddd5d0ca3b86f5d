export { cloudAnswer, cloudAnswers } from './cloud-answers.js';
export { faultKinds } from './faults.js';
export type { OllamaFakeErrorCode } from './ollama-fake-error.js';
export { OllamaFakeError } from './ollama-fake-error.js';
export {
  defaultFaultMessage,
  runnerFailureMessage,
  startOllamaFake,
  usageLimitMessage,
} from './start-ollama-fake.js';
export type {
  CloudAnswer,
  ExpectedTextRequest,
  FakeAccount,
  FakeModelInfo,
  FakeModelSpec,
  FakeRequest,
  FaultKind,
  FaultSpec,
  OllamaFake,
  OllamaFakeOptions,
} from './types.js';
