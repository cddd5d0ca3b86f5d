/** Process exit codes shared by every verb: success. */
export const EXIT_OK = 0;
/** A failure: nothing could answer, an item was not found, the storage or the configuration is broken. */
export const EXIT_FAILURE = 1;
/** A usage error: unknown verb or option, a bad option value, a missing prompt. */
export const EXIT_USAGE = 2;
