/**
 * Pulumi.yaml `main`: the program (index.ts), compiled; rebuilt first when a source changed. The
 * SDK's runner awaits an exported function, so the runtime is made lean before the program loads.
 */
"use strict";
const compiled = require("../../bootstrap/compiled");
compiled.compileCache();

module.exports = async () => {
    await compiled.leanRuntime();
    return require(compiled.ensureBuilt("index.js"));
};
