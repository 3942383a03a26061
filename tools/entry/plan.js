/**
 * `npm run plan`: the offline plan from the compiled JavaScript, compiling first only when a
 * source is newer than the build (`ensureBuilt`), so that a run on an unchanged checkout starts
 * at once instead of cleaning and recompiling the whole library. `npm ci` builds once (prepare).
 *
 * Plain JavaScript on purpose: it runs before anything is compiled.
 */
"use strict";
const { compileCache, ensureBuilt } = require("../../bootstrap/compiled.js");
compileCache();

let entry;
try {
    entry = ensureBuilt("tools/plan.js");
} catch (e) {
    process.stderr.write(`plan: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 3;
}
if (entry) void require(entry).main(process.argv.slice(2));
