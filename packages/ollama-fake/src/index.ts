export { cloudAnswer, cloudAnswers } from './cloud-answers.js';
export {
  type FakeOllamaCommand,
  type FakeOllamaCommandOptions,
  writeFakeOllamaCommand,
} from './fake-ollama-command.js';
export { faultKinds } from './faults.js';
export { freePort } from './free-port.js';
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
