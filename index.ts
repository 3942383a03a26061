/**
 * The Pulumi program: reads the stack's config (Pulumi.<stack>.yaml), resolves it against the
 * environment preset, builds the RAG stack through the library and exports references (never
 * secret values). The library itself is `components/index.ts` and registers nothing on import.
 */
import * as pulumi from "@pulumi/pulumi";
import { ragStackFromProgram } from "./facade/stack";
import { ValidationError } from "./components/core/validation";
import { ProgramConfig, settingsFromConfig } from "./environments/config";

const config = new pulumi.Config();
let program: ProgramConfig;
try {
    // Bad stack config fails here, before anything is registered, with the message the offline
    // plan prints (a RunError: the engine shows the message without a stack trace).
    program = settingsFromConfig(
        (key) => config.get(key),
        pulumi.getProject(),
        new pulumi.Config("aws").get("region"),
        Object.keys(pulumi.runtime.allConfig()),
        `stack ${pulumi.getStack()}`,
    ).program;
} catch (e) {
    throw e instanceof ValidationError ? new pulumi.RunError(e.message) : e;
}
// Deprecated keys (components/settings/deprecations.ts): shown by `pulumi preview` and `pulumi up`.
for (const w of program.warnings) void pulumi.log.warn(w);

const stack = ragStackFromProgram(program);

export const target = stack.settings.target;
export const environment = stack.settings.environment;
export const url = stack.url;
export const databaseEndpoint = stack.databaseEndpoint;
export const databaseReaderEndpoint = stack.databaseReaderEndpoint;
export const cacheEndpoint = stack.cacheEndpoint;
export const llmEndpoint = stack.llmEndpoint;
export const documentsBucket = stack.documentsBucket;
export const backupsBucket = stack.backupsBucket;
export const secretRefs = stack.secretRefs;
/** What other stacks attach to (read it with `readAttachments(new pulumi.StackReference(...), target)`). */
export const attachments = stack.attachments;
/** What tools/pre-deploy-snapshot.sh (the snapshot before a deploy) and tools/rollback.sh read. */
export const delivery = stack.delivery;
