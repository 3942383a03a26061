/**
 * The policy pack's entry (package.json `main`): `policies/index.ts`, compiled into the
 * repository's dist/ with the library, loaded with the repository's single copy of the Pulumi
 * SDKs (no second install); rebuilt first when a source changed. The SDK's policy runner awaits
 * an exported function, so the runtime is made lean first (bootstrap/compiled.js).
 */
"use strict";
const compiled = require("../bootstrap/compiled");
compiled.compileCache();

module.exports = async () => {
    await compiled.leanPolicyRuntime();
    require(compiled.ensureBuilt("policies/index.js"));
};
